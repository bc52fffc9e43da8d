"""Install the plugin with the add-on; follow the settings."""

from collective.civicreports.identity.interfaces import PREFIX
from collective.civicreports.identity.plugin import configure
from collective.civicreports.identity.plugin import get_plugin
from collective.civicreports.identity.plugin import install
from plone import api


PROFILE = "profile-collective.civicreports:default"


def profile_imported(event):
    if event.profile_id == PROFILE and event.full_import:
        install(api.portal.get())


def settings_modified(event):
    if not event.record.__name__.startswith(PREFIX + "."):
        return
    try:
        plugin = get_plugin()
    except api.exc.CannotGetPortalError:
        return
    if plugin is not None:
        configure(plugin)


def principal_deleted(event):
    plugin = get_plugin()
    if plugin is not None and isinstance(event.principal, str):
        plugin.forget(event.principal)
