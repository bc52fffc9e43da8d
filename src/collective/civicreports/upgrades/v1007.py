"""1006 → 1007: the Open311 answer without waking the reports.

The catalog's ``report_public`` column (``content/indexers.py``), written
for the public reports there are; the others hold nothing in it.
"""

from collective.civicreports.reports.workflow import PUBLIC_STATES
from plone import api


PROFILE = "profile-collective.civicreports:default"


def upgrade(context):
    setup = api.portal.get_tool("portal_setup")
    setup.runImportStepFromProfile(PROFILE, "catalog", run_dependencies=False)
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(
        portal_type="Report", review_state=list(PUBLIC_STATES)
    ):
        # Any index rewrites all the metadata; naming one keeps the
        # modification date, which the Open311 answer shows.
        brain._unrestrictedGetObject().reindexObject(idxs=["tracking_number"])
