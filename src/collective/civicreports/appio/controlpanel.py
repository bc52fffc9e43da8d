"""``@@civicreports-appio-controlpanel``: Site Setup > App IO messages."""

from collective.civicreports import _
from collective.civicreports.appio.interfaces import IAppIOSettings
from collective.civicreports.appio.interfaces import parse_key_line
from collective.civicreports.appio.interfaces import PREFIX
from collective.civicreports.categories.registry import get_category
from collective.civicreports.controlpanels.base import CheckedSettingsForm
from plone.app.registry.browser.controlpanel import ControlPanelFormWrapper
from z3c.form.interfaces import WidgetActionExecutionError
from zope.interface import Invalid


class AppIOSettingsForm(CheckedSettingsForm):
    schema = IAppIOSettings
    schema_prefix = PREFIX
    label = _("App IO messages")
    description = _(
        "The reporters identified by fiscal code also receive each step of "
        "their report as a message in the IO app. Each IO service of the "
        "municipality has its own API key."
    )

    def check(self, data):
        seen = set()
        for line in data.get("category_keys") or ():
            category, _key = parse_key_line(line)
            if get_category(category) is None or category in seen:
                raise WidgetActionExecutionError(
                    "category_keys",
                    Invalid(
                        _(
                            "appio_unknown_category",
                            default="No category, or a category given twice: "
                            "${category}",
                            mapping={"category": category},
                        )
                    ),
                )
            seen.add(category)


class AppIOSettingsView(ControlPanelFormWrapper):
    form = AppIOSettingsForm
