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


def site_language():
    """The site's language: mails to the staff and texts kept on reports
    (the history, the answers of duplicates) are in it."""
    return api.portal.get_registry_record("plone.default_language", default="en")
