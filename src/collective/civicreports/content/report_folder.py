from collective.civicreports import _
from collective.civicreports.interfaces import IReportFolder
from collective.civicreports.reports.settings import site_language
from OFS.event import ObjectWillBeAddedEvent
from plone.dexterity.content import Container
from plone.supermodel import model
from zope import schema
from zope.event import notify
from zope.i18n import translate
from zope.interface import implementer
from zope.lifecycleevent import ObjectAddedEvent


# The texts a municipality starts from, in English as message ids: the new
# folder reads them in the site's language, and administrators rewrite them.
DEFAULT_TEXTS = {
    "audience": _(
        "Citizens, residents, businesses and anyone who wishes to report a "
        "problem in the municipal territory or in a service of the "
        "Municipality."
    ),
    # Paragraphs, each a message.
    "how_to": (
        _(
            "Fill in the online form: choose the category, describe the "
            "problem, mark the place on the map and add photos if useful."
        ),
        _(
            "The report is checked by the Public Relations Office, published "
            "without personal data and sent to the office in charge."
        ),
    ),
    # A list, an item each.
    "needed": [
        _("A short description of the problem"),
        _("The place, on the map or as an address"),
        _("An e-mail address to receive updates"),
    ],
    "outcome": _(
        "A tracking number and a private link to follow the report, and an "
        "e-mail at every step until the answer of the office in charge."
    ),
    "timing": _(
        "The report is checked by the Public Relations Office and answered "
        "within the times set for its category. The form is available at any "
        "time."
    ),
    "costs": _("The service is free of charge."),
    "access": _(
        "The report can be made online, with or without an account, or at "
        "the Public Relations Office during opening hours."
    ),
    "conditions": _(
        "Personal data are read only by the staff in charge of the report "
        "and are never published."
    ),
    "contacts": _("Public Relations Office (URP)"),
}


class _Translated:
    """A field's default: its English text in the site's language."""

    def __init__(self, key):
        self.key = key

    def __call__(self):
        language = site_language()
        text = DEFAULT_TEXTS[self.key]

        def tr(message):
            return translate(
                message, domain="collective.civicreports", target_language=language
            )

        if isinstance(text, list):
            return "\n".join("- " + tr(item) for item in text)
        if isinstance(text, tuple):
            return "\n\n".join(tr(paragraph) for paragraph in text)
        return tr(text)


def _text(key, title, description=""):
    return schema.Text(
        title=title,
        description=description,
        required=False,
        defaultFactory=_Translated(key),
    )


class IReportFolderSchema(model.Schema):
    """The service card of the folder's landing page, as the Designers
    Italia model of a municipal service has it; title and description come
    from behaviors."""

    model.fieldset(
        "service",
        label=_("Service card"),
        fields=[
            "service_active",
            "topics",
            "audience",
            "how_to",
            "needed",
            "outcome",
            "timing",
            "costs",
            "access",
            "conditions",
            "conditions_url",
            "contacts",
            "contact_details",
        ],
    )

    service_active = schema.Bool(
        title=_("The service is active"),
        required=False,
        default=True,
    )
    topics = schema.List(
        title=_("Topics"),
        description=_("One per line, from the site's list of topics."),
        value_type=schema.TextLine(),
        required=False,
        default=[],
    )
    audience = _text("audience", _("Who it is for"))
    how_to = _text(
        "how_to",
        _("How to"),
        _(
            "Paragraphs are separated by an empty line; a line starting with - is a list item."
        ),
    )
    needed = _text("needed", _("What is needed"))
    outcome = _text("outcome", _("What you get"))
    timing = _text("timing", _("Times and deadlines"))
    costs = _text("costs", _("Costs"))
    access = _text("access", _("Access the service"))
    conditions = _text("conditions", _("Terms of service"))
    conditions_url = schema.URI(
        title=_("Address of the terms of service"),
        description=_("Empty: the privacy notice of the form."),
        required=False,
    )
    contacts = schema.TextLine(
        title=_("Office in charge"),
        required=False,
        defaultFactory=_Translated("contacts"),
    )
    contact_details = schema.Text(
        title=_("Contacts of the office"),
        description=_("Address, telephone, e-mail, opening hours."),
        required=False,
        default="",
    )


@implementer(IReportFolder)
class ReportFolder(Container):
    """Holds the reports. Built so that concurrent submissions never write
    the same object: only BTree buckets, whose conflicts ZODB resolves."""

    # An ordered folder keeps the position of every child in one persistent
    # list, which every submission would rewrite. Unordered, children live
    # only in the BTree.
    _ordering = "unordered"

    def Language(self):
        # The folder has no language of its own (no behavior sets one), and
        # Plone's navigation lists only the items of the current language:
        # it is in the site's.
        return self.language or site_language()

    def _setObject(
        self, id, object, roles=None, user=None, set_owner=1, suppress_events=False
    ):
        if suppress_events:
            return super()._setObject(id, object, roles, user, set_owner, True)
        # The same events as a plain folder, less ContainerModifiedEvent:
        # it would set the folder's modification date and reindex it on
        # every new report, making all concurrent submissions collide.
        notify(ObjectWillBeAddedEvent(object, self, id))
        result = super()._setObject(id, object, roles, user, set_owner, True)
        notify(ObjectAddedEvent(self._getOb(id), self, id))
        return result
