from collective.civicreports import _
from collective.civicreports.categories.registry import active_categories
from collective.civicreports.categories.registry import all_categories
from collective.civicreports.reports.offices import office_choices
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


KIND_TITLES = {
    "information": _("Information request"),
    "malfunction": _("Malfunction"),
    "suggestion": _("Suggestion"),
    "complaint": _("Complaint"),
    "appreciation": _("Appreciation"),
}

CHANNEL_TITLES = {
    "web": _("Web"),
    "api": _("Application (API)"),
    "phone": _("Phone"),
    "email": _("E-mail"),
    "pec": _("Certified e-mail (PEC)"),
    "whatsapp": _("WhatsApp"),
    "desk": _("Desk"),
    "paper": _("Paper"),
}


# How a closed report ended; the public page, the statistics and Open311's
# extended status say it.
RESOLUTION_TITLES = {
    "fixed": _("Fixed"),
    "not_competent": _("Not the municipality's competence"),
    "referred": _("Referred to another body"),
    "no_action": _("No action needed"),
    "duplicate": _("Duplicate"),
}


def _vocabulary(titles):
    return SimpleVocabulary(
        [SimpleTerm(value, value, title) for value, title in titles.items()]
    )


@provider(IVocabularyFactory)
def kinds(context):
    return _vocabulary(KIND_TITLES)


@provider(IVocabularyFactory)
def channels(context):
    return _vocabulary(CHANNEL_TITLES)


@provider(IVocabularyFactory)
def resolutions(context):
    return _vocabulary(RESOLUTION_TITLES)


def _category_vocabulary(pairs):
    return SimpleVocabulary(
        [SimpleTerm(key, key, cat.title or key) for key, cat in pairs]
    )


@provider(IVocabularyFactory)
def categories(context):
    """Every category, inactive ones too, so old reports keep their value."""
    return _category_vocabulary(all_categories())


@provider(IVocabularyFactory)
def active(context):
    return _category_vocabulary(active_categories())


@provider(IVocabularyFactory)
def offices(context):
    """The user groups an office can be, but the built-in ones."""
    return SimpleVocabulary(
        [
            SimpleTerm(choice["id"], choice["id"], choice["title"])
            for choice in office_choices()
        ]
    )
