"""Read the add-on's settings from the registry, with their defaults."""

from collective.civicreports.interfaces import ICivicReportsSettings
from plone import api


PREFIX = "collective.civicreports"


def setting(name):
    """The value of a setting, or its default if the record is missing
    (a site upgraded from an older version of the add-on)."""
    value = api.portal.get_registry_record(f"{PREFIX}.{name}", default=None)
    if value is None:
        return ICivicReportsSettings[name].default
    return value
