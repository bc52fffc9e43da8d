"""1001 → 1002: the map's features kept ready in the catalog."""

from plone import api


PROFILE = "profile-collective.civicreports:default"


def upgrade(context):
    api.portal.get_tool("portal_setup").runImportStepFromProfile(PROFILE, "catalog")
    catalog = api.portal.get_tool("portal_catalog")
    # Only the reports the map shows have a feature; the column is filled
    # with the grid index, which decides which those are.
    for brain in catalog.unrestrictedSearchResults(portal_type="Report"):
        brain._unrestrictedGetObject().reindexObject(idxs=["report_cells"])
