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


# Who may send a report of a category, from the least to the most.
ANONYMOUS = "anonymous"
ACCOUNT = "account"
DIGITAL_IDENTITY = "digital_identity"
LEVELS = (ANONYMOUS, ACCOUNT, DIGITAL_IDENTITY)


def identification(category):
    """The level a category asks of its citizens (one of LEVELS).

    The stricter of ``identification`` and the older ``allow_anonymous``:
    a category made before identification existed has no such record, and
    a profile written for the older field sets only that one."""
    level = getattr(category, "identification", None)
    if level not in LEVELS:
        level = ANONYMOUS
    if getattr(category, "allow_anonymous", True) is False and level == ANONYMOUS:
        level = ACCOUNT
    return level


def answer_days(category):
    """The category's own term to answer, in days, or None for the site's."""
    days = getattr(category, "answer_days", None)
    if isinstance(days, int) and not isinstance(days, bool) and days > 0:
        return days
    return None


def set_identification(category, level):
    """Set the level, and the older field in step for its readers."""
    category.identification = level
    category.allow_anonymous = level == ANONYMOUS


def upgrade_categories():
    """Give every category the records ICategory has gained, keeping its
    values; the level follows its ``allow_anonymous``. Returns their ids."""
    registry = getUtility(IRegistry)
    records = category_records()
    upgraded = []
    for key in list(records):
        prefix = f"{PREFIX}/{key}"
        had_level = f"{prefix}.identification" in registry.records
        level = identification(records[key])
        registry.registerInterface(ICategory, prefix=prefix)
        if not had_level:
            set_identification(records[key], level)
        upgraded.append(key)
    return upgraded
