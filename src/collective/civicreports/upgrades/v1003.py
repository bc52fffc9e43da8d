"""1002 → 1003: trust. The workflow manages the sharing permissions and its
state menu leads to the moderation and handling pages; the new settings
(rate limits, the photos' pixel budget); the rate counters; and the text of
the reports stored before inputs were cleaned loses the characters no
writer can write."""

from collective.civicreports.behaviors.reporter import FIELDS as REPORTER_FIELDS
from collective.civicreports.inputs.text import printable
from collective.civicreports.reports.workflow import WORKFLOW_ID
from collective.civicreports.security.ratelimit import install_counters
from plone import api

import unicodedata


PROFILE = "profile-collective.civicreports:default"


def upgrade(context):
    setup = api.portal.get_tool("portal_setup")
    for step in ("plone.app.registry", "workflow"):
        setup.runImportStepFromProfile(PROFILE, step)
    # The reports take the new permission settings of their state.
    workflow = api.portal.get_tool("portal_workflow")
    definition = workflow.getWorkflowById(WORKFLOW_ID)
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(portal_type="Report"):
        report = brain._unrestrictedGetObject()
        if definition.updateRoleMappingsFor(report):
            report.reindexObjectSecurity()
        if scrub(report):
            report.reindexObject()
    install_counters(api.portal.get())


TEXT_FIELDS = ("title", "description", "address", "answer", "internal_notes")


def scrub(report):
    """Leave out of the report's texts what printable leaves out; whether
    anything changed."""
    changed = False
    for name in (*TEXT_FIELDS, *REPORTER_FIELDS):
        value = getattr(report, name, None)
        if isinstance(value, str):
            clean = unicodedata.normalize("NFC", printable(value))
            if clean != value:
                setattr(report, name, clean)
                changed = True
    return changed
