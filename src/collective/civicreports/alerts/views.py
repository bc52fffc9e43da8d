"""The pages of the alerts, on the report folder: the form (``@@alerts``),
the confirmation link (``@@alerts-confirm``) and the link that stops them
(``@@alerts-unsubscribe``). They show nobody's address: the form answers
alike whether or not the address has alerts already."""

from collective.civicreports import _
from collective.civicreports.alerts import subscriptions
from collective.civicreports.alerts.subscriptions import Criteria
from collective.civicreports.alerts.subscriptions import DEFAULT_DISTANCE
from collective.civicreports.alerts.subscriptions import DISTANCES
from collective.civicreports.browser.details import map_settings
from collective.civicreports.browser.forms import PostedForm
from collective.civicreports.browser.forms import say
from collective.civicreports.categories.registry import active_categories
from collective.civicreports.categories.registry import get_category
from collective.civicreports.geo import territory
from collective.civicreports.inputs.form import value as form_value
from collective.civicreports.inputs.numbers import parse_float
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.privacy.validators import is_valid_email
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.settings import site_language
from collective.civicreports.security import ratelimit
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from zope.i18n import translate
from zope.interface import alsoProvides


FIELDS = ("email", "category", "latitude", "longitude", "distance")
# Requests per hour for one e-mail address, whoever sends them: on top of
# the limit per client, so that many clients cannot flood one mailbox.
ADDRESS_LIMIT = 5
SENT = _(
    "If the address is right, you will receive an e-mail in a few minutes: "
    "open the link it contains to start the alert. The link is valid for 7 days."
)


def _in_territory(latitude, longitude):
    boundary = setting("territory") or ""
    return not boundary.strip() or territory.contains(boundary, latitude, longitude)


def _language(context):
    return api.portal.get_current_language(context=context) or site_language()


class AlertsView(PostedForm):
    """``@@alerts``: an address and a point with a distance, a category, or
    both. Each request is counted per client and per address; nothing is
    kept until the link mailed to the address is opened."""

    def __init__(self, context, request):
        super().__init__(context, request)
        self.errors = []
        self.values = dict.fromkeys(FIELDS, "")
        self.values["distance"] = str(DEFAULT_DISTANCE)

    def handle(self, form):
        # Read first, so that a refused request shows what was typed.
        self.read_values()
        decision = ratelimit.hit(
            "alerts",
            ratelimit.client_of(self.request),
            setting("engagement_rate_limit"),
        )
        if not decision.allowed:
            return self.refuse(decision)
        email, criteria = self.validate()
        if self.errors:
            return None
        decision = ratelimit.hit("alerts-address", "email:" + email, ADDRESS_LIMIT)
        if not decision.allowed:
            return self.refuse(decision)
        subscriptions.request_alert(
            self.context, email, criteria, self.request, _language(self.context)
        )
        # The same answer whether the address has the alert, is new, or was
        # sent a link a moment ago: nobody learns who subscribed.
        say(self.request, SENT)
        return self.request.response.redirect(self.action())

    def refuse(self, decision):
        self.errors.append(("", ratelimit.TOO_MANY_ACTIONS))
        ratelimit.refuse(self.request, decision)
        return None

    def say_bad_input(self, error):
        # Shown next to its field, like every other error of the page.
        self.read_values()
        self.errors.append(
            (error.field if error.field in FIELDS else "", error.message)
        )

    def read_values(self):
        """The typed values, to check and to show again; a value sent twice
        is an error of its field."""
        for name in FIELDS:
            try:
                self.values[name] = form_value(self.request.form, name).strip()
            except BadInput as error:
                self.values[name] = ""
                if (name, error.message) not in self.errors:
                    self.errors.append((name, error.message))

    def validate(self):
        """(e-mail, Criteria), adding to ``errors`` what is wrong."""
        values = self.values
        email = values["email"].lower()
        if not is_valid_email(email):
            self.error("email", _("Give a valid e-mail address."))
        category = values["category"] or None
        if category is not None:
            found = get_category(category)
            if found is None or not found.active:
                self.error("category", _("Choose a category from the list."))
        latitude = longitude = None
        try:
            latitude = parse_float(values["latitude"], "latitude", -90, 90)
            longitude = parse_float(values["longitude"], "longitude", -180, 180)
        except BadInput as error:
            self.error(error.field, error.message)
            latitude = longitude = None
        else:
            if (latitude is None) != (longitude is None):
                self.error(
                    "latitude", _("Give both latitude and longitude, or neither.")
                )
            elif latitude is not None and not _in_territory(latitude, longitude):
                self.error(
                    "latitude", _("The place is outside the municipal territory.")
                )
        metres = None
        if latitude is not None and longitude is not None:
            if values["distance"] not in {str(d) for d in DISTANCES}:
                self.error("distance", _("Choose a distance from the list."))
            else:
                metres = int(values["distance"])
        elif category is None and not self.error_for("latitude"):
            self.error("category", _("Choose a category, or give a point, or both."))
        return email, Criteria(category, latitude, longitude, metres)

    def error(self, field, message):
        if not self.error_for(field):
            self.errors.append((field, message))

    # For the template

    def action(self):
        return f"{self.context.absolute_url()}/@@alerts"

    def error_for(self, field):
        return [message for name, message in self.errors if name == field]

    def messages_for(self, field):
        return [translate(m, context=self.request) for m in self.error_for(field)]

    def translated_errors(self):
        return [
            {"field": name, "message": translate(message, context=self.request)}
            for name, message in self.errors
        ]

    def field_id(self, field):
        return "civicreport-alerts-" + (field or "form")

    def described_by(self, field, *others):
        ids = [*others]
        if self.error_for(field):
            ids.append(self.field_id(field) + "-error")
        return " ".join(ids) or None

    def invalid(self, field):
        return "true" if self.error_for(field) else None

    def categories(self):
        return [
            {"id": key, "title": category.title or key}
            for key, category in active_categories()
        ]

    def distances(self):
        language = _language(self.context)
        return [
            {
                "value": str(metres),
                "title": subscriptions.distance_text(metres, language),
            }
            for metres in DISTANCES
        ]

    def map_settings(self):
        return map_settings()

    def privacy_notice_url(self):
        return setting("privacy_notice_url") or (
            api.portal.get().absolute_url() + "/privacy"
        )


class ConfirmView(BrowserView):
    """``@@alerts-confirm?token=…``, the link of the confirmation mail."""

    confirmed = False

    def __call__(self):
        token = self.request.form.get("token")
        if token:
            # The link is opened with a GET; its token is the proof.
            alsoProvides(self.request, IDisableCSRFProtection)
            self.confirmed = subscriptions.confirm(self.context, token)
        return self.index()


class UnsubscribeView(PostedForm):
    """``@@alerts-unsubscribe?token=…``, the link of every alert: it shows
    the alert and one button, so that a mail scanner opening the link
    stops nothing; the button stops the alert."""

    done = False

    def token(self):
        try:
            return self.text("token")
        except BadInput:
            return ""

    def alert(self):
        criteria = subscriptions.subscription(self.context, self.token())
        if criteria is None:
            return None
        return subscriptions.describe(criteria, _language(self.context))

    def handle(self, form):
        self.done = subscriptions.unsubscribe(self.context, self.token())
        return None

    def action(self):
        return f"{self.context.absolute_url()}/@@alerts-unsubscribe"
