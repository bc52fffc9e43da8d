from collective.civicreports import _
from collective.civicreports import geo
from collective.civicreports.interfaces import ICivicReportsSettings
from plone.app.registry.browser.controlpanel import ControlPanelFormWrapper
from plone.app.registry.browser.controlpanel import RegistryEditForm
from z3c.form import button
from z3c.form.interfaces import WidgetActionExecutionError
from zope.interface import Invalid


class SettingsForm(RegistryEditForm):
    schema = ICivicReportsSettings
    schema_prefix = "collective.civicreports"
    label = _("Citizen reports")
    description = _("Settings of the citizen reports service.")

    @button.buttonAndHandler(_("Save"), name="save")
    def handleSave(self, action):
        data, errors = self.extractData()
        territory = (data.get("territory") or "").strip()
        if territory:
            try:
                if not geo.polygons(territory):
                    raise ValueError
            except (ValueError, KeyError, TypeError, AttributeError):
                raise WidgetActionExecutionError(
                    "territory",
                    Invalid(_("Give a GeoJSON Polygon, MultiPolygon or Feature.")),
                ) from None
        super().handleSave(self, action)

    @button.buttonAndHandler(_("Cancel"), name="cancel")
    def handleCancel(self, action):
        super().handleCancel(self, action)


class SettingsView(ControlPanelFormWrapper):
    form = SettingsForm
