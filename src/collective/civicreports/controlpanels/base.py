"""What the add-on's settings pages share: one value per field, the
values checked as a whole before they are saved, and Plone's message."""

from collective.civicreports import _
from collective.civicreports.inputs.form import OneValueEach
from plone.app.registry.browser.controlpanel import RegistryEditForm
from Products.statusmessages.interfaces import IStatusMessage
from z3c.form import button


class CheckedSettingsForm(OneValueEach, RegistryEditForm):
    def check(self, data):
        """Refuse what the fields alone cannot (a line naming an unknown
        category, a file to read), raising WidgetActionExecutionError, or
        change ``data`` before it is saved."""

    @button.buttonAndHandler(_("Save"), name="save")
    def handleSave(self, action):
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            return
        self.check(data)
        self.applyChanges(data)
        IStatusMessage(self.request).add(_("Changes saved."), "info")
        self.request.response.redirect(self.request.getURL())

    @button.buttonAndHandler(_("Cancel"), name="cancel")
    def handleCancel(self, action):
        super().handleCancel(self, action)
