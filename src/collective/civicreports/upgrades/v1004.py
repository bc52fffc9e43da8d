"""1003 → 1004: the package's modules moved into packages. The objects of
the moved classes are stored again, so that they name their new homes and
``aliases.py`` can go in a later version. The new setting (the province
whose patron saint's day is a holiday) gets its record."""

from collective.civicreports.reports.tracking import ANNOTATION_KEY
from plone import api
from zope.annotation.interfaces import IAnnotations


PROFILE = "profile-collective.civicreports:default"


def upgrade(context):
    setup = api.portal.get_tool("portal_setup")
    setup.runImportStepFromProfile(PROFILE, "plone.app.registry")
    portal = api.portal.get()
    store_counter_again(IAnnotations(portal))
    store_index_again(api.portal.get_tool("portal_catalog")._catalog)


# A record names the class of its object, and so does every reference to
# the object from its parent: both are stored again.


def store_counter_again(annotations):
    counter = annotations.get(ANNOTATION_KEY)
    if counter is None:
        return
    # Putting back the same value would not mark the mapping changed.
    del annotations[ANNOTATION_KEY]
    annotations[ANNOTATION_KEY] = counter
    counter._p_changed = True


def store_index_again(catalog):
    index = catalog.indexes.get("report_map")
    if index is None:
        return
    index._p_changed = True
    # The indexes are a plain dict of the catalog.
    catalog._p_changed = True
