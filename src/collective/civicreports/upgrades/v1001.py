"""1000 → 1001: the back office settings and the map's index."""

from plone import api


PROFILE = "profile-collective.civicreports:default"


def upgrade(context):
    setup = api.portal.get_tool("portal_setup")
    # New settings (deadlines, retention, reasons, maps) and the map's index.
    for step in ("plone.app.registry", "catalog", "actions", "typeinfo"):
        setup.runImportStepFromProfile(PROFILE, step)
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(portal_type="Report"):
        brain._unrestrictedGetObject().reindexObject(idxs=["report_map"])
