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
from collective.civicreports.vocabularies.reports import KIND_TITLES
from plone.autoform.form import AutoExtensibleForm
from plone.protect import CheckAuthenticator
from plone.registry.interfaces import IRegistry
from plone.z3cform.layout import FormWrapper
from Products.Five.browser import BrowserView
from Products.statusmessages.interfaces import IStatusMessage
from urllib.parse import urlencode
from z3c.form import button
from z3c.form import form
from zope import schema
from zope.component import getUtility
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


class ICategoryAdd(ICategory):
    id = schema.TextLine(
        title=_("Id"),
        description=_(
            "Short code used in addresses and by applications; it cannot change later."
        ),
        required=True,
        constraint=check_id,
    )


class CategoriesView(BrowserView):
    """List the categories; delete one."""

    def categories(self):
        return [
            {
                "id": key,
                "title": cat.title,
                "kind": KIND_TITLES.get(cat.kind, cat.kind),
                "office": cat.office,
                "identification": level_title(identification(cat)),
                "answer_days": cat.answer_days,
                "within_territory": cat.within_territory,
                "active": cat.active,
            }
            for key, cat in all_categories()
        ]

    def __call__(self):
        delete = self.request.form.get("delete")
        if isinstance(delete, str) and delete and self.request.method == "POST":
            CheckAuthenticator(self.request)
            records = category_records()
            if get_category(delete) is not None:
                del records[delete]
                IStatusMessage(self.request).add(_("Category deleted."))
            return self.request.response.redirect(
                self.context.absolute_url() + "/" + LISTING
            )
        return self.index()


class CategoryAddForm(OneValueEach, AutoExtensibleForm, form.Form):
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


class CategoryEditForm(OneValueEach, AutoExtensibleForm, form.EditForm):
    schema = ICategory

    def updateFields(self):
        super().updateFields()
        self.fields = self.fields.omit(*LEGACY)

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
