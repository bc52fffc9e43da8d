"""1004 → 1005: the Italian public digital service.

The settings of the privacy notice, App IO and SPID/CIE; the SPID/CIE plugin
and the categories' identification levels; the index of the reporters'
accounts (the citizen's area) filled for the reports there are; the service
card's action, the home page's portlet, the folders in the navigation; the
reporter's "received" mail with its summary; the geolocation widget's
scripts only for the staff.
"""

from collective.civicreports.identity.upgrade import upgrade as upgrade_identity
from collective.civicreports.reports.settings import site_language
from collective.civicreports.setuphandlers import show_in_navigation
from pathlib import Path
from plone import api
from plone.contentrules.engine.interfaces import IRuleStorage
from xml.dom import minidom
from zope.component import queryUtility
from zope.i18n import translate


PROFILE = "profile-collective.civicreports:default"
RULES = Path(__file__).parent.parent / "profiles" / "default" / "contentrules.xml"
RECEIVED = "civicreports-submitted-reporter"


def upgrade(context):
    setup = api.portal.get_tool("portal_setup")
    for step in ("plone.app.registry", "catalog", "typeinfo", "portlets"):
        setup.runImportStepFromProfile(PROFILE, step, run_dependencies=False)
    upgrade_identity(setup)
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(portal_type="Report"):
        brain._unrestrictedGetObject().reindexObject(idxs=["report_reporter"])
    show_in_navigation()
    received_mail_again(site_language())


def profile_texts(rule_id):
    """The English subject and message of a rule's mail in the profile."""
    for rule in minidom.parse(str(RULES)).getElementsByTagName("rule"):
        if rule.getAttribute("name") != rule_id:
            continue
        texts = {}
        for prop in rule.getElementsByTagName("property"):
            name = prop.getAttribute("name")
            if name in ("subject", "message"):
                texts[name] = "".join(
                    n.data for n in prop.childNodes if n.nodeType == n.TEXT_NODE
                )
        return texts
    return {}


def received_mail_again(language):
    """The reporter's "received" mail of the profile, in the site's language
    (its text gained the summary); the other rules keep what the
    administrators may have changed."""
    texts = profile_texts(RECEIVED)
    storage = queryUtility(IRuleStorage)
    rule = storage.get(RECEIVED) if storage is not None else None
    if rule is not None:
        for action in rule.actions:
            for name, text in texts.items():
                if hasattr(action, name):
                    setattr(
                        action,
                        name,
                        translate(
                            text,
                            domain="collective.civicreports",
                            target_language=language,
                        ),
                    )
