"""1003 → 1004: the package's modules moved into packages. The objects of
the moved classes are stored again, so that they name their new homes and
``aliases.py`` can go in a later version."""

from collective.civicreports.reports.tracking import get_counter
from plone import api


def upgrade(context):
    counter = get_counter(api.portal.get())
    if counter is not None:
        counter._p_changed = True
    catalog = api.portal.get_tool("portal_catalog")
    index = catalog._catalog.indexes.get("report_map")
    if index is not None:
        index._p_changed = True
