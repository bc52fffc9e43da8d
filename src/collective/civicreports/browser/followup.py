"""The pages of the "was it fixed?" mail's links, on the report:
``@@it-is-fixed?t=<token>`` records the answer, ``@@still-a-problem?t=<token>``
asks what is wrong and reopens the report. The reporter's private page
links the second with its own token.

No login: the token is what authorises, so the views are public and find
the token first; an unknown one is not found, and says nothing of the
report. A confidential report is no less the reporter's: its pages are
served on the token alone, like the private page."""

from collective.civicreports import _
from collective.civicreports.browser.details import Dates
from collective.civicreports.browser.forms import say
from collective.civicreports.inputs.edge import bad_input
from collective.civicreports.inputs.form import GIVEN_TWICE
from collective.civicreports.inputs.form import value as form_value
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.privacy.photos import PhotoError
from collective.civicreports.privacy.photos import PixelBudget
from collective.civicreports.privacy.photos import process_photo
from collective.civicreports.reports import engagement
from collective.civicreports.reports import followup
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.submission import max_photo_bytes
from collective.civicreports.security import ratelimit
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from zExceptions import NotFound
from zope.i18n import translate
from zope.interface import alsoProvides


STATUS_MESSAGES = {
    followup.NOT_CLOSED: _(
        "This report is not closed: it is being handled again. Nothing has "
        "been changed."
    ),
    followup.EXPIRED: _(
        "The time to answer about this closing of the report is over. "
        "Nothing has been changed."
    ),
    followup.USED: _(
        "This link has already reopened the report. Nothing has been changed."
    ),
}


class _FollowupPage(Dates, BrowserView):
    # The token or the comment the edge could not clean: invalid, or an
    # error next to the field.
    handles_bad_input = True
    # Whether the reporter's private token opens the page too.
    private = True

    grant = None
    status = None

    def find_grant(self):
        try:
            token = form_value(self.request.form, "t")
        except BadInput:
            token = ""
        grant = followup.find_grant(self.context, token, private=self.private)
        if grant is None:
            raise NotFound(_("This link is not valid."))
        self.grant, self.token = grant, token
        self.status = followup.status(grant)

    def status_message(self):
        return STATUS_MESSAGES.get(self.status)

    def deadline(self):
        return followup.deadline(self.context)


class ItIsFixedView(_FollowupPage):
    """ "Yes, it is fixed": a GET, since it only records the answer."""

    private = False

    def __call__(self):
        self.find_grant()
        self.status = followup.record_fixed(self.grant)
        if self.status == followup.OK:
            # The write a mail's link is for, on its token.
            alsoProvides(self.request, IDisableCSRFProtection)
        return self.index()


class StillAProblemView(_FollowupPage):
    """ "No, still a problem": the citizen's comment and an optional photo,
    then the report is reopened (a POST with the CSRF token, rate
    limited)."""

    done = False
    refused = False

    def __call__(self):
        self.find_grant()
        self.errors = {}
        if self.request.method == "POST":
            result = self.handle()
            if result is not None:
                return result
        return self.index()

    def photos_allowed(self):
        return setting("photo_max_count") > 0

    def photo_megabytes(self):
        return setting("photo_max_megabytes")

    def error(self, field):
        message = self.errors.get(field)
        return translate(message, context=self.request) if message else None

    def comment(self):
        """The comment to show again in the form after an error."""
        found = self.request.form.get("comment")
        return found if isinstance(found, str) and not self.done else ""

    def read_comment(self):
        bad = bad_input(self.request)
        try:
            if "comment" in bad:
                raise BadInput("comment", bad["comment"])
            comment = form_value(self.request.form, "comment").strip()
        except BadInput as error:
            self.errors["comment"] = error.message
            return ""
        problem = followup.comment_error(comment)
        if problem is not None:
            self.errors["comment"] = problem
        return comment

    def read_photo(self):
        """The photo, cleaned as the form's are, or None."""
        found = self.request.form.get("photo")
        if isinstance(found, (list, tuple)):
            self.errors["photo"] = GIVEN_TWICE
            return None
        if not getattr(found, "filename", None) or not self.photos_allowed():
            return None
        budget = PixelBudget(setting("photo_pixel_budget"))
        try:
            return process_photo(found.read(), max_photo_bytes(), budget)
        except PhotoError as error:
            self.errors["photo"] = error.message
            return None

    def handle(self):
        CheckAuthenticator(self.request)
        decision = ratelimit.citizen_action(self.request)
        if not decision.allowed:
            self.refused = True
            ratelimit.refuse(self.request, decision)
            return None
        if self.status != followup.OK:
            return None
        comment = self.read_comment()
        # Decoded only for a comment that can be taken: photos cost time.
        photo = None if self.errors else self.read_photo()
        if self.errors:
            return None
        # A write on a POST whose CSRF token was checked.
        alsoProvides(self.request, IDisableCSRFProtection)
        self.status = followup.still_a_problem(self.grant, comment, photo)
        if self.status != followup.OK:
            return None
        if self.grant.private:
            say(
                self.request,
                _(
                    "Thank you: the report is back with its office, and the "
                    "municipality has been told what is still wrong."
                ),
            )
            return self.request.response.redirect(engagement.private_url(self.context))
        self.done = True
        return None

    def too_many(self):
        return ratelimit.TOO_MANY_ACTIONS
