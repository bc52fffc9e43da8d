"""Access to the report categories kept in the registry."""

from collective.civicreports.interfaces import ICategory
from plone.registry.interfaces import IRegistry
from zope.component import getUtility

import re


PREFIX = "collective.civicreports.category"
CATEGORY_ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")

KINDS = ("information", "malfunction", "suggestion", "complaint", "appreciation")


def category_records():
    """The categories as a mapping of id to a records proxy."""
    registry = getUtility(IRegistry)
    return registry.collectionOfInterface(ICategory, prefix=PREFIX, check=False)


def get_category(category_id):
    """The category with this id, or None."""
    if not isinstance(category_id, str) or not CATEGORY_ID_RE.match(category_id):
        return None
    records = category_records()
    if not records.has_key(category_id):
        return None
    return records[category_id]


def all_categories():
    """(id, category) pairs, ordered by title."""
    records = category_records()
    pairs = [(key, records[key]) for key in records]
    return sorted(pairs, key=lambda pair: (pair[1].title or pair[0]).lower())


def active_categories():
    return [(key, cat) for key, cat in all_categories() if cat.active]
