"""Control panel of the report categories, kept in the registry."""

from collective.civicreports import _
from collective.civicreports.categories.registry import all_categories
from collective.civicreports.categories.registry import CATEGORY_ID_RE
from collective.civicreports.categories.registry import category_records
from collective.civicreports.categories.registry import get_category
from collective.civicreports.categories.registry import identification
from collective.civicreports.categories.registry import PREFIX
from collective.civicreports.categories.registry import set_identification
from collective.civicreports.inputs.form import OneValueEach
from collective.civicreports.interfaces import ICategory
from collective.civicreports.reports.offices import office_choices
from collective.civicreports.vocabularies.reports import KIND_TITLES
from markupsafe import escape
from plone import api
from plone.autoform.form import AutoExtensibleForm
from plone.protect import CheckAuthenticator
from plone.registry.interfaces import IRegistry
from plone.z3cform.layout import FormWrapper
from Products.Five.browser import BrowserView
from Products.statusmessages.interfaces import IStatusMessage
from urllib.parse import urlencode
from z3c.form import button
from z3c.form import form
from z3c.form.interfaces import IErrorViewSnippet
from zope import schema
from zope.component import getMultiAdapter
from zope.component import getUtility
from zope.i18n import translate
from zope.interface import Invalid


LISTING = "@@civicreports-categories"
# Kept in step with identification (set_identification), not edited.
LEGACY = ("allow_anonymous",)


def level_title(level):
    return ICategory["identification"].vocabulary.getTerm(level).title


def store(category_id, data):
    """Save the form's values on the category, which gains the records of
    the fields added to ICategory since it was made."""
    getUtility(IRegistry).registerInterface(ICategory, prefix=f"{PREFIX}/{category_id}")
    category = get_category(category_id)
    data = dict(data)
    # No office is "" in the registry, as profiles and older panels wrote it.
    if "office" in data:
        data["office"] = data["office"] or ""
    level = data.pop("identification", None) or identification(category)
    for name, value in data.items():
        setattr(category, name, value)
    set_identification(category, level)


def check_id(value):
    if not CATEGORY_ID_RE.match(value or ""):
        raise Invalid(
            _("Use lowercase letters, digits, '-' and '_', starting with a letter.")
        )
    return True


def report_counts(category_ids):
    """{category id: how many reports have it}, counting every report of
    the site whoever may see it: the page is for the site's administrators,
    and a category must not look unused because of a report's local roles.
    The catalog counts without waking the reports."""
    catalog = api.portal.get_tool("portal_catalog")
    return {
        key: len(
            catalog.unrestrictedSearchResults(portal_type="Report", report_category=key)
        )
        for key in category_ids
    }


UNKNOWN_OFFICE = _("Choose the office among the existing groups.")


class ICategoryForm(ICategory):
    """ICategory as the panel edits it: the registry keeps the office as
    text, the panel offers only the groups that exist."""

    office = schema.Choice(
        title=_("Responsible office"),
        description=_(
            "The user group of the office that handles this category. New "
            "reports are assigned to it by default."
        ),
        vocabulary="collective.civicreports.Offices",
        required=False,
    )


# In its place among the fields, not after all of ICategory's.
ICategoryForm["office"].order = ICategory["office"].order


class ICategoryAdd(ICategoryForm):
    id = schema.TextLine(
        title=_("Id"),
        description=_(
            "Short code used in addresses and by applications; it cannot change later."
        ),
        required=True,
        constraint=check_id,
    )


class CategoriesView(BrowserView):
    """List the categories; delete one, after a confirmation if reports
    use it."""

    # The category whose deletion waits for the administrator's
    # confirmation: the page shows that instead of the list.
    confirming = None

    def categories(self):
        pairs = all_categories()
        counts = report_counts([key for key, _cat in pairs])
        groups = {choice["id"]: choice["title"] for choice in office_choices()}
        return [
            {
                "id": key,
                "title": cat.title,
                "kind": KIND_TITLES.get(cat.kind, cat.kind),
                "office": cat.office,
                "office_title": groups.get(cat.office, cat.office),
                "office_unknown": bool(cat.office) and cat.office not in groups,
                "identification": level_title(identification(cat)),
                "answer_days": cat.answer_days,
                "within_territory": cat.within_territory,
                "active": cat.active,
                "reports": counts[key],
            }
            for key, cat in pairs
        ]

    def __call__(self):
        delete = self.request.form.get("delete")
        if isinstance(delete, str) and delete and self.request.method == "POST":
            CheckAuthenticator(self.request)
            return self.delete(delete)
        return self.index()

    def delete(self, category_id):
        category = get_category(category_id)
        if category is None:
            return self.back()
        used = report_counts([category_id])[category_id]
        # The form of the confirmation sends confirm=yes; the listing's
        # buttons do not, so that a used category always asks first.
        if used and self.request.form.get("confirm") != "yes":
            self.confirming = {
                "id": category_id,
                "title": category.title or category_id,
                "reports": used,
            }
            return self.index()
        # Only the registry's records go: the reports keep the category's
        # id, and a category made again with it finds them.
        del category_records()[category_id]
        if used:
            message = _(
                "Category deleted. The reports that used it keep it: ${count}.",
                mapping={"count": used},
            )
        else:
            message = _("Category deleted.")
        IStatusMessage(self.request).add(message)
        return self.back()

    def back(self):
        return self.request.response.redirect(
            self.context.absolute_url() + "/" + LISTING
        )


class TiedError:
    """A widget's error as Plone's field template shows it, after the
    control, but with an id the control names in aria-describedby, so that
    screen readers read it with the field."""

    def __init__(self, snippet, error_id):
        self._snippet = snippet
        self.error_id = error_id

    def __getattr__(self, name):
        return getattr(self._snippet, name)

    def render(self):
        message = translate(self._snippet.message, context=self._snippet.request)
        return (
            f'<div class="invalid-feedback d-block" id="{self.error_id}">'
            f"{escape(message)}</div>"
        )


class OfficeFromGroups:
    """A mixin of the category forms: the office is one of the groups.

    z3c.form reads a value out of the vocabulary as no value at all: for
    an optional field, a form posted with an unknown group would clear the
    office instead of being refused."""

    def updateWidgets(self, prefix=None):
        super().updateWidgets(prefix)
        widget = self.widgets.get("office")
        if widget is not None:
            widget.noValueMessage = _("No office")

    def extractData(self, setErrors=True):
        data, errors = super().extractData(setErrors=setErrors)
        widget = self.widgets.get("office")
        if widget is not None and widget.error is None and self.unknown_office(widget):
            snippet = getMultiAdapter(
                (
                    Invalid(UNKNOWN_OFFICE),
                    self.request,
                    widget,
                    widget.field,
                    self,
                    self.getContent(),
                ),
                IErrorViewSnippet,
            )
            snippet.update()
            widget.error = snippet
            errors = (*errors, snippet)
            self.widgets.errors = errors
        if setErrors:
            for error in errors:
                tie(getattr(error, "widget", None))
        return data, errors

    def unknown_office(self, widget):
        sent = self.request.form.get(widget.name)
        tokens = sent if isinstance(sent, (list, tuple)) else [sent]
        for token in tokens:
            if token in (None, "", widget.noValueToken):
                continue
            try:
                widget.terms.getTermByToken(token)
            except LookupError:
                return True
        return False


def tie(widget):
    if widget is None or widget.error is None or isinstance(widget.error, TiedError):
        return
    error_id = f"{widget.id}-error"
    widget.error = TiedError(widget.error, error_id)
    # Plone's widgets have no setter: they extend, and return, the dict
    # z3c.form keeps, which their templates render.
    widget.attributes.update({"aria-invalid": "true", "aria-describedby": error_id})


class CategoryAddForm(OfficeFromGroups, OneValueEach, AutoExtensibleForm, form.Form):
    schema = ICategoryAdd
    ignoreContext = True
    label = _("Add a category")

    def updateFields(self):
        super().updateFields()
        self.fields = self.fields.select("id") + self.fields.omit("id", *LEGACY)

    @button.buttonAndHandler(_("Add"), name="add")
    def handle_add(self, action):
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            return
        category_id = data.pop("id")
        if get_category(category_id) is not None:
            self.status = _("A category with this id exists already.")
            return
        store(category_id, data)
        IStatusMessage(self.request).add(_("Category added."))
        self.request.response.redirect(self.context.absolute_url() + "/" + LISTING)

    @button.buttonAndHandler(_("Cancel"), name="cancel")
    def handle_cancel(self, action):
        self.request.response.redirect(self.context.absolute_url() + "/" + LISTING)


class CategoryEditForm(
    OfficeFromGroups, OneValueEach, AutoExtensibleForm, form.EditForm
):
    schema = ICategoryForm

    def updateFields(self):
        super().updateFields()
        self.fields = self.fields.omit(*LEGACY)

    def update(self):
        super().update()
        office = self.getContent()["office"]
        submitted = any(
            action.name in self.request.form for action in self.actions.values()
        )
        if office and not submitted and office not in self.widgets["office"].terms:
            # The select cannot show a group that is gone (or was never
            # made): say which one the category names, before a save
            # replaces it.
            self.status = _(
                "The responsible office of this category, ${office}, is not "
                "an existing group: choose one.",
                mapping={"office": office},
            )

    @property
    def category_id(self):
        form = self.request.form
        for name in ("id", "form.widgets.id"):
            value = form.get(name)
            if isinstance(value, str) and value:
                return value
        return ""

    def getContent(self):
        category = get_category(self.category_id)
        if category is None:
            return {name: ICategory[name].default for name in ICategory}
        content = {name: getattr(category, name) for name in ICategory}
        content["identification"] = identification(category)
        return content

    @property
    def label(self):
        return _("Edit the category ${id}", mapping={"id": self.category_id})

    @property
    def action(self):
        # Keep the category id across the submission of the form.
        return f"{self.request.getURL()}?{urlencode({'id': self.category_id})}"

    @button.buttonAndHandler(_("Save"), name="save")
    def handle_save(self, action):
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            return
        if get_category(self.category_id) is not None:
            store(self.category_id, data)
            IStatusMessage(self.request).add(_("Changes saved."))
        self.request.response.redirect(self.context.absolute_url() + "/" + LISTING)

    @button.buttonAndHandler(_("Cancel"), name="cancel")
    def handle_cancel(self, action):
        self.request.response.redirect(self.context.absolute_url() + "/" + LISTING)


class CategoryAddView(FormWrapper):
    form = CategoryAddForm


class CategoryEditView(FormWrapper):
    form = CategoryEditForm
