"""What an existing site needs for SPID/CIE and the identification levels;
the handler of the upgrade step (``upgrades/``)."""

from collective.civicreports.categories.registry import upgrade_categories
from collective.civicreports.identity.interfaces import IIdentitySettings
from collective.civicreports.identity.interfaces import PREFIX
from collective.civicreports.identity.plugin import install
from plone import api
from plone.registry.interfaces import IRegistry
from zope.component import getUtility


def upgrade(setup_tool=None):
    """The settings' records, the configlet, the plugin in acl_users, and
    the categories' new records (their level from ``allow_anonymous``)."""
    getUtility(IRegistry).registerInterface(IIdentitySettings, prefix=PREFIX)
    if setup_tool is not None:
        setup_tool.runImportStepFromProfile(
            "profile-collective.civicreports:default",
            "controlpanel",
            run_dependencies=False,
        )
    install(api.portal.get())
    upgrade_categories()
