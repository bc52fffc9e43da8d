"""``@@my-reports``: a logged-in citizen's own reports, in any state ("Le mie
segnalazioni", Designers Italia's criteria C.SE.1.9 and C.SE.1.10).

Each report shows its state, when it was taken in charge, its protocol
number, the date by which it is to be answered, its receipt, and once
closed the rating form (``reports/satisfaction``). The reporter's private
page (``engagement.TrackView``) shows the same facts and form: what they
share is here."""

from collective.civicreports import _
from collective.civicreports.browser.details import Dates
from collective.civicreports.browser.forms import say
from collective.civicreports.browser.receipt import private_receipt_url
from collective.civicreports.browser.receipt import receipt_url
from collective.civicreports.categories.registry import get_category
from collective.civicreports.content.indexers import reporter_key
from collective.civicreports.inputs.edge import bad_input
from collective.civicreports.inputs.form import value as form_value
from collective.civicreports.inputs.form import values as form_values
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.permissions import is_reporter
from collective.civicreports.reports import engagement
from collective.civicreports.reports import messages
from collective.civicreports.reports import satisfaction
from collective.civicreports.reports.dates import received
from collective.civicreports.reports.protocol import protocol
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.reports.timeline import timeline
from collective.civicreports.reports.workflow import APPROVE
from collective.civicreports.reports.workflow import CLOSE
from collective.civicreports.reports.workflow import CLOSED
from collective.civicreports.reports.workflow import ENDED_STATES
from collective.civicreports.reports.workflow import first_time
from collective.civicreports.reports.workflow import last_time
from collective.civicreports.reports.workflow import state_of
from collective.civicreports.sla.deadlines import answer_deadline
from collective.civicreports.sla.levels import report_policy
from datetime import datetime
from datetime import time
from plone import api
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import urlencode
from zope.i18n import translate
from zope.interface import alsoProvides


NEXT = "form.buttons.rating-next"
SEND = "form.buttons.rating-send"


def answer_due(report):
    """When the answer is due (time zone aware), from the day it was
    received, with the report's term on the site's calendar."""
    return answer_deadline(received(report), report_policy(report))


def area_facts(report):
    """What the reporter's area and private page show of a report."""
    state = state_of(report)
    rating = satisfaction.rating_of(report)
    return {
        "state": state,
        "state_title": state_title(state),
        "received": received(report),
        "taken_in_charge": first_time(report, APPROVE),
        "closed": last_time(report, CLOSE) if state == CLOSED else None,
        "protocol": protocol(report),
        # Nothing is owed on a closed or rejected report.
        "due": None if state in ENDED_STATES else answer_due(report),
        "rating": rating,
        "can_rate": satisfaction.can_rate(report),
    }


class RatingForm:
    """The rating form of a closed report, without JavaScript in two steps:
    the stars, then the follow-up question of their band and a comment.
    Its errors show next to their fields."""

    rating_macros = ViewPageTemplateFile("templates/rating.pt")

    rating_number = None  # the report whose form is at step 2 or wrong
    rating_step = 1
    rating_stars = None
    rating_errors = None

    def day(self, value):
        """A date without a time (the protocol's), in the site's format."""
        return api.portal.get_localized_time(
            datetime.combine(value, time()), long_format=False
        )

    def rating_question(self):
        return satisfaction.QUESTION

    def rating_followup_question(self):
        return satisfaction.question(self.rating_stars or 1)

    def rating_options(self):
        chosen = self.request.form.get("followups") or ()
        if isinstance(chosen, str):
            chosen = (chosen,)
        return [
            {"id": key, "title": title, "checked": key in chosen}
            for key, title in satisfaction.options(self.rating_stars or 1).items()
        ]

    def rating_positive(self):
        return (self.rating_stars or 0) >= satisfaction.POSITIVE_FROM

    def rating_option_title(self, key):
        return satisfaction.all_options().get(key, key)

    def rating_stars_range(self):
        return list(reversed(satisfaction.STARS))

    def rating_error(self, number, field):
        if number != self.rating_number or not self.rating_errors:
            return None
        return self.rating_errors.get(field)

    def rating_at_step(self, number):
        return self.rating_step if number == self.rating_number else 1

    def posts_rating(self):
        form = self.request.form
        return NEXT in form or SEND in form

    def handle_rating(self, report):
        """A POST of the form for ``report``, whose reporter is the user:
        True when the rating is kept (the caller redirects)."""
        CheckAuthenticator(self.request)
        self.rating_number = report.getId()
        form = self.request.form
        errors = {}
        try:
            bad = bad_input(self.request)
            for field in ("rating", "followups", "comment"):
                if field in bad:
                    raise BadInput(field, bad[field])
            stars, followups, comment = satisfaction.parse(
                form_value(form, "rating"),
                form_values(form, "followups"),
                form_value(form, "comment"),
            )
        except BadInput as error:
            errors[error.field] = translate(error.message, context=self.request)
            stars = None
        if "rating" in errors:
            self.rating_step, self.rating_errors = 1, errors
            return False
        if stars is None:
            try:
                stars = int(form_value(form, "rating"))
            except (BadInput, ValueError):
                stars = None
        self.rating_stars = stars
        self.rating_step = 2
        if errors or SEND not in form:
            self.rating_errors = errors
            return False
        if not satisfaction.can_rate(report):
            say(self.request, _("This report cannot be rated."), "error")
            self.rating_step, self.rating_number = 1, None
            return False
        # A write on a POST whose token was checked.
        alsoProvides(self.request, IDisableCSRFProtection)
        satisfaction.rate(report, stars, followups, comment)
        say(self.request, _("Thank you for your rating."))
        return True


class MyReportsView(RatingForm, Dates, BrowserView):
    # The rating form shows the values the edge could not clean as errors.
    handles_bad_input = True

    def __call__(self):
        if api.user.is_anonymous():
            portal_url = api.portal.get().absolute_url()
            return self.request.response.redirect(
                f"{portal_url}/login?{urlencode({'came_from': self.request.getURL()})}"
            )
        if self.request.method == "POST" and self.posts_rating():
            report = self.own_report(self.request.form.get("n"))
            if report is None:
                say(self.request, _("This report cannot be rated."), "error")
            elif self.handle_rating(report):
                return self.request.response.redirect(
                    f"{self.request.getURL()}#report-{report.getId()}"
                )
        return self.index()

    def _own(self, report, user_id):
        return is_reporter(report, user_id)

    def own_report(self, number):
        """The user's report with this number, or None."""
        if not isinstance(number, str) or not number:
            return None
        user_id = api.user.get_current().getId()
        catalog = api.portal.get_tool("portal_catalog")
        # Not by allowedRolesAndUsers: the index names the Owner only while
        # the report is not public.
        for brain in catalog.unrestrictedSearchResults(portal_type="Report", id=number):
            report = brain._unrestrictedGetObject()
            if self._own(report, user_id):
                return report
        return None

    def reports(self):
        user = api.user.get_current()
        catalog = api.portal.get_tool("portal_catalog")
        # Only the citizen's own key is asked for.
        key = reporter_key(user.getId(), create=False)
        if key is None:
            # No report was ever indexed with a reporter.
            return []
        brains = catalog.unrestrictedSearchResults(
            portal_type="Report",
            report_reporter=key,
            sort_on="created",
            sort_order="descending",
        )
        reports = []
        for brain in brains:
            report = brain._unrestrictedGetObject()
            if not self._own(report, user.getId()):
                continue
            category = get_category(report.category)
            reports.append(
                dict(
                    area_facts(report),
                    id=report.getId(),
                    url=report.absolute_url(),
                    number=report.tracking_number,
                    title=report.Title(),
                    category=category.title if category else report.category,
                    timeline=timeline(report),
                    answer=report.answer,
                    visible=api.user.has_permission("View", obj=report),
                    messages=messages.messages(report),
                    private_url=engagement.private_url(report),
                    receipt_url=receipt_url(report),
                    # The form posts here: the report is found by number.
                    form_action=self.request.getURL(),
                    form_fields={"n": report.getId()},
                )
            )
        return reports


def tracked_facts(report):
    """``area_facts`` for the private page, whose receipt link carries the
    private token."""
    return dict(area_facts(report), receipt_url=private_receipt_url(report))
