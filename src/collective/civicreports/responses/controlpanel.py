"""``@@civicreports-responses``: Site Setup > Response templates."""

from collective.civicreports import _
from collective.civicreports.controlpanels.base import CheckedSettingsForm
from collective.civicreports.responses.interfaces import IResponseSettings
from collective.civicreports.responses.interfaces import PREFIX
from collective.civicreports.responses.templates import parse
from collective.civicreports.responses.templates import TemplateSyntaxError
from plone.app.registry.browser.controlpanel import ControlPanelFormWrapper
from z3c.form.interfaces import WidgetActionExecutionError
from zope.interface import Invalid


class ResponseSettingsForm(CheckedSettingsForm):
    schema = IResponseSettings
    schema_prefix = PREFIX
    label = _("Response templates")
    description = _(
        "Texts the offices insert into their answers and questions to the "
        "citizens, by category."
    )

    def check(self, data):
        try:
            parse(data.get("templates") or "")
        except TemplateSyntaxError as error:
            raise WidgetActionExecutionError(
                "templates", Invalid(error.message)
            ) from error


class ResponseSettingsView(ControlPanelFormWrapper):
    form = ResponseSettingsForm
