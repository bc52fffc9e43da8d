from collective.civicreports.interfaces import ICivicReportsSettings
from collective.civicreports.reports import tracking
from collective.civicreports.reports.settings import PREFIX
from collective.civicreports.reports.settings import site_language
from collective.civicreports.responses.interfaces import DEFAULT_TEMPLATES
from collective.civicreports.responses.interfaces import IResponseSettings
from collective.civicreports.responses.interfaces import PREFIX as RESPONSES
from collective.civicreports.security import ratelimit
from plone import api
from plone.base.interfaces import INonInstallable
from plone.contentrules.engine.interfaces import IRuleStorage
from zope.component import queryUtility
from zope.i18n import translate
from zope.interface import implementer


RULE_PREFIX = "civicreports-"
DISPLAYED_TYPES = "plone.displayed_types"
# In the navigation and the site map: the folder is the service's way in.
# Its reports are not: a list of every report is the archive's job, which
# shows only the public ones.
NAVIGATION_TYPES = ("ReportFolder",)


@implementer(INonInstallable)
class HiddenProfiles:
    def getNonInstallableProfiles(self):
        return [
            "collective.civicreports:uninstall",
            "collective.civicreports:demo",
        ]

    def getNonInstallableProducts(self):
        return ["collective.civicreports.upgrades"]


def our_rules():
    storage = queryUtility(IRuleStorage)
    if storage is None:
        return []
    return [rule for key, rule in storage.items() if key.startswith(RULE_PREFIX)]


def translate_rules(language):
    """Put the texts of our mail rules in the site's language.

    ``contentrules.xml`` holds them in English; each English text is also
    the message id in our translation catalogs, so administrators find the
    rules in their own language and can edit them from there.
    """

    def tr(text):
        return translate(
            text, domain="collective.civicreports", target_language=language
        )

    for rule in our_rules():
        rule.title = tr(rule.title)
        rule.description = tr(rule.description)
        for action in rule.actions:
            for name in ("subject", "message"):
                text = getattr(action, name, None)
                if text:
                    setattr(action, name, tr(text))


def translated_defaults():
    """(record, English default, its message ids) of the settings whose
    default texts are message ids (``interfaces.py``)."""
    reasons = ICivicReportsSettings["rejection_reasons"].default
    return [
        (f"{PREFIX}.rejection_reasons", [str(text) for text in reasons], reasons),
        (
            f"{RESPONSES}.templates",
            IResponseSettings["templates"].default,
            DEFAULT_TEMPLATES,
        ),
    ]


def translate_settings(language):
    """Put the default texts of the settings in the site's language, as
    ``translate_rules`` does for the rules; texts an administrator changed
    stay as they are."""
    for record, english, messages in translated_defaults():
        value = api.portal.get_registry_record(record, default=None)
        if isinstance(value, tuple | list):
            value = list(value)
        if value is not None and value != english:
            continue
        if isinstance(messages, list):
            translated = [translate(m, target_language=language) for m in messages]
        else:
            translated = translate(messages, target_language=language)
        api.portal.set_registry_record(record, translated)


def show_in_navigation():
    """Report folders in the navigation and the site map, reports not."""
    displayed = list(api.portal.get_registry_record(DISPLAYED_TYPES, default=()))
    changed = [t for t in displayed if t != "Report"]
    changed += [t for t in NAVIGATION_TYPES if t not in changed]
    if changed != displayed:
        api.portal.set_registry_record(DISPLAYED_TYPES, tuple(changed))
    # Folders made before: their language and navigation flag, indexed.
    for brain in api.portal.get_tool("portal_catalog").unrestrictedSearchResults(
        portal_type="ReportFolder"
    ):
        brain._unrestrictedGetObject().reindexObject()


def hide_from_navigation():
    displayed = api.portal.get_registry_record(DISPLAYED_TYPES, default=None)
    if displayed is not None:
        api.portal.set_registry_record(
            DISPLAYED_TYPES, tuple(t for t in displayed if t not in NAVIGATION_TYPES)
        )


def post_install(context):
    site = api.portal.get()
    tracking.install_counter(site)
    ratelimit.install_counters(site)
    translate_rules(site_language())
    translate_settings(site_language())
    show_in_navigation()


def uninstall(context):
    storage = queryUtility(IRuleStorage)
    if storage is not None:
        for key in [key for key in storage if key.startswith(RULE_PREFIX)]:
            del storage[key]
    hide_from_navigation()
    # The tracking counter stays: numbers are never reused, not even after
    # a reinstall.
