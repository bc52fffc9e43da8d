from collective.civicreports import _
from collective.civicreports.controlpanels.base import CheckedSettingsForm
from collective.civicreports.geo import territory
from collective.civicreports.interfaces import ICivicReportsSettings
from plone.app.registry.browser.controlpanel import ControlPanelFormWrapper
from plone.namedfile.field import NamedFile
from z3c.form import field
from z3c.form.interfaces import WidgetActionExecutionError
from zope.interface import Interface
from zope.interface import Invalid


class ITerritoryUpload(Interface):
    """Not a setting: a file whose content becomes the territory."""

    territory_file = NamedFile(
        title=_("Upload the municipal territory"),
        description=_("A GeoJSON file; it replaces the territory above."),
        required=False,
    )


def check_territory(text):
    try:
        if not territory.polygons(text):
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    return True


class SettingsForm(CheckedSettingsForm):
    schema = ICivicReportsSettings
    schema_prefix = "collective.civicreports"
    label = _("Citizen reports")
    description = _("Settings of the citizen reports service.")

    def updateFields(self):
        super().updateFields()
        upload = field.Field(ITerritoryUpload["territory_file"], ignoreContext=True)
        self.fields += field.Fields(upload)

    def check(self, data):
        upload = data.pop("territory_file", None)
        if upload is not None and upload.data:
            try:
                data["territory"] = upload.data.decode("utf-8")
            except UnicodeDecodeError:
                data["territory"] = ""
            problem = "territory_file"
        else:
            problem = "territory"
        territory = (data.get("territory") or "").strip()
        if territory and not check_territory(territory):
            raise WidgetActionExecutionError(
                problem, Invalid(_("Give a GeoJSON Polygon, MultiPolygon or Feature."))
            )


class SettingsView(ControlPanelFormWrapper):
    form = SettingsForm
