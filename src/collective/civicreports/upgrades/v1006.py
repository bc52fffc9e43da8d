"""1005 → 1006: the daily work at volume.

The response templates' setting and control panel; the default rejection
reasons and templates in the site's language; the staff's mails link to
the moderation and handling pages; the catalog's metadata of the
statistics and the offices' list, written for the reports there are.
"""

from collective.civicreports.reports.settings import site_language
from collective.civicreports.setuphandlers import translate_settings
from collective.civicreports.upgrades.v1005 import profile_texts
from plone import api
from plone.contentrules.engine.interfaces import IRuleStorage
from zope.component import queryUtility
from zope.i18n import translate


PROFILE = "profile-collective.civicreports:default"
# The staff's mails, which now link to the page where they work.
STAFF_RULES = ("civicreports-submitted-moderators", "civicreports-assigned-office")


def upgrade(context):
    setup = api.portal.get_tool("portal_setup")
    for step in ("plone.app.registry", "controlpanel", "catalog"):
        setup.runImportStepFromProfile(PROFILE, step, run_dependencies=False)
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(portal_type="Report"):
        # The new indexes (the catalog step adds them empty: "My office"
        # sorts by one, and a report missing from it would not be listed),
        # and the metadata, which is written with any index.
        brain._unrestrictedGetObject().reindexObject(
            idxs=["report_answer_due", "report_findings"]
        )
    language = site_language()
    translate_settings(language)
    staff_mails_again(language)


def staff_mails_again(language):
    """The staff's mails from the profile, unless an administrator changed
    them (then they keep the link to the report's page, which leads the
    staff on to their page)."""
    storage = queryUtility(IRuleStorage)
    for rule_id in STAFF_RULES:
        rule = storage.get(rule_id) if storage is not None else None
        if rule is None:
            continue
        message = profile_texts(rule_id).get("message", "")
        old = message.replace("${report_staff_url}", "${report_url}")
        for action in rule.actions:
            if getattr(action, "message", None) in (
                old,
                translate(
                    old, domain="collective.civicreports", target_language=language
                ),
            ):
                action.message = translate(
                    message, domain="collective.civicreports", target_language=language
                )
