"""1001 → 1002: the extra questions of the categories."""

from collective.civicreports.categories.registry import category_records
from collective.civicreports.categories.registry import PREFIX
from collective.civicreports.interfaces import ICategory
from plone.registry.interfaces import IRegistry
from zope.component import getUtility


def upgrade(context):
    # Registering the interface again adds the new record and keeps the
    # values of the others.
    registry = getUtility(IRegistry)
    for key in list(category_records()):
        registry.registerInterface(ICategory, prefix=f"{PREFIX}/{key}")
