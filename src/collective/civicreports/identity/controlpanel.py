"""Site Setup > SPID and CIE: the broker."""

from collective.civicreports import _
from collective.civicreports.controlpanels.base import CheckedSettingsForm
from collective.civicreports.identity.interfaces import IIdentitySettings
from collective.civicreports.identity.interfaces import PREFIX
from collective.civicreports.identity.plugin import get_plugin
from plone.app.registry.browser.controlpanel import ControlPanelFormWrapper


class IdentitySettingsForm(CheckedSettingsForm):
    schema = IIdentitySettings
    schema_prefix = PREFIX
    label = _("SPID and CIE")

    @property
    def description(self):
        plugin = get_plugin()
        if plugin is None:
            return _("Login of the citizens with their digital identity.")
        return _(
            "Login of the citizens with their digital identity. Register this "
            "address with the broker as the redirect URI: ${url}",
            mapping={"url": plugin.get_redirect_uris()[0]},
        )

    def updateWidgets(self):
        super().updateWidgets()
        # z3c.form writes a password's value into the page.
        self.widgets["client_secret"].value = ""

    def check(self, data):
        # The secret is never shown: an empty field keeps the one stored.
        if not data.get("client_secret"):
            data.pop("client_secret", None)


class IdentitySettingsView(ControlPanelFormWrapper):
    form = IdentitySettingsForm
