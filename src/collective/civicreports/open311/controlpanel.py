"""``@@civicreports-apikeys``: the administrators create and revoke the API
keys of the Open311 clients."""

from collective.civicreports import _
from collective.civicreports.inputs.form import value as form_value
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.open311.keys import all_keys
from collective.civicreports.open311.keys import create_key
from collective.civicreports.open311.keys import revoke_key
from collective.civicreports.vocabularies.reports import CHANNEL_TITLES
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView
from Products.statusmessages.interfaces import IStatusMessage


LISTING = "@@civicreports-apikeys"


class ApiKeysView(BrowserView):
    def __call__(self):
        form = self.request.form
        if self.request.method == "POST":
            CheckAuthenticator(self.request)
            messages = IStatusMessage(self.request)
            if "create" in form:
                label, channel = self.text("label"), self.text("channel") or "api"
                if not label or channel not in CHANNEL_TITLES:
                    messages.add(_("Give the key a label and a channel."), "error")
                else:
                    create_key(label, channel)
                    messages.add(_("Key created."))
            elif form.get("revoke") and revoke_key(form["revoke"]):
                messages.add(_("Key revoked."))
            return self.request.response.redirect(
                self.context.absolute_url() + "/" + LISTING
            )
        return self.index()

    def text(self, name):
        """One value of the form; a value given twice counts as none."""
        try:
            return form_value(self.request.form, name).strip()
        except BadInput:
            return ""

    def keys(self):
        return [
            {
                "id": key_id,
                "key": record.key,
                "label": record.label,
                "channel": CHANNEL_TITLES.get(record.channel, record.channel),
                "active": record.active,
            }
            for key_id, record in all_keys()
        ]

    def channels(self):
        return [
            {"value": value, "title": title} for value, title in CHANNEL_TITLES.items()
        ]

    def api_url(self):
        return self.context.absolute_url() + "/open311/v2/discovery.json"
