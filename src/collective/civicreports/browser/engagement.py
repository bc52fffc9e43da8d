"""Follow and support a public report; the reporter's private page."""

from collective.civicreports import _
from collective.civicreports.browser.details import DetailsMixin
from collective.civicreports.browser.forms import say
from collective.civicreports.browser.my_reports import RatingForm
from collective.civicreports.browser.my_reports import tracked_facts
from collective.civicreports.inputs.edge import bad_input
from collective.civicreports.inputs.form import value as form_value
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.privacy.validators import is_valid_email
from collective.civicreports.reports import engagement
from collective.civicreports.reports import followup
from collective.civicreports.reports import messages
from collective.civicreports.security import ratelimit
from plone import api
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from urllib.parse import urlencode
from zExceptions import NotFound
from zope.i18n import translate
from zope.interface import alsoProvides


SUPPORTED_COOKIE = "civicreports_supported"


class _Action(BrowserView):
    """A POST on a public report, answered by a redirect to it."""

    # A value the edge could not clean is treated as a wrong one.
    handles_bad_input = True

    def message(self, text, kind="info"):
        say(self.request, text, kind)

    def __call__(self):
        if self.request.method != "POST":
            return self.request.response.redirect(self.context.absolute_url())
        CheckAuthenticator(self.request)
        # A write on a GET-free, authenticated form: the token was checked.
        alsoProvides(self.request, IDisableCSRFProtection)
        decision = ratelimit.citizen_action(self.request)
        if not decision.allowed:
            self.message(ratelimit.TOO_MANY_ACTIONS, "error")
            ratelimit.refuse(self.request, decision)
            return self.context.restrictedTraverse("@@view")()
        self.act()
        return self.request.response.redirect(self.context.absolute_url())


class FollowView(_Action):
    """Follow a report. A logged-in citizen follows with the address of
    their account; anyone else is sent a link to the address they give,
    and follows once they open it (nobody can subscribe someone else)."""

    def __call__(self):
        if self.request.method == "GET" and "confirm" in self.request.form:
            return self.confirm(self.request.form["confirm"])
        return super().__call__()

    def act(self):
        if api.user.is_anonymous():
            # Sent twice, or not cleanable (emptied by the edge): not valid.
            try:
                email = form_value(self.request.form, "email").strip()
            except BadInput:
                email = ""
        else:
            email = api.user.get_current().getProperty("email") or ""
        if not is_valid_email(email):
            self.message(
                _("Give a valid e-mail address to follow the report."), "error"
            )
            return
        if not api.user.is_anonymous():
            engagement.follow(self.context, email)
            self.message(_("You will receive an e-mail at each step of this report."))
            return
        engagement.request_follow(self.context, email, self.request)
        # The same answer whether or not the address follows already.
        self.message(
            _(
                "To follow the report, open the link we have sent to your "
                "e-mail address."
            )
        )

    def confirm(self, token):
        if engagement.confirm_follow(self.context, token):
            alsoProvides(self.request, IDisableCSRFProtection)
            self.message(_("You will receive an e-mail at each step of this report."))
        else:
            self.message(_("This link is no longer valid."), "error")
        return self.request.response.redirect(self.context.absolute_url())


class SupportView(_Action):
    def act(self):
        number = self.context.getId()
        if api.user.is_anonymous():
            supported = (self.request.cookies.get(SUPPORTED_COOKIE) or "").split(".")
            if number in supported:
                self.message(_("You already support this report."))
                return
            engagement.add_support(self.context)
            cookie = ".".join([n for n in supported if n][-50:] + [number])
            self.request.response.setCookie(
                SUPPORTED_COOKIE, cookie, path="/", max_age=3600 * 24 * 365
            )
        elif not engagement.add_support(self.context, api.user.get_current().getId()):
            self.message(_("You already support this report."))
            return
        self.message(_("Thank you for your support."))


class UnfollowView(BrowserView):
    """The link at the foot of the followers' mails."""

    def __call__(self):
        done = engagement.unfollow(self.context, self.request.form.get("t"))
        if done:
            alsoProvides(self.request, IDisableCSRFProtection)
        say(
            self.request,
            _("You no longer follow this report.")
            if done
            else _("This link is no longer valid."),
        )
        return self.request.response.redirect(self.context.absolute_url())


class TrackView(RatingForm, DetailsMixin, BrowserView):
    """``<report folder>/@@track?n=<number>&t=<token>``: the reporter's
    private page, in any state, without an account; with the facts of the
    citizen's area and, once closed, the rating form (a POST here)."""

    # The rating form shows the values the edge could not clean as errors.
    handles_bad_input = True

    def __call__(self):
        form = self.request.form
        report = engagement.tracked_report(self.context, form.get("n"), form.get("t"))
        if report is None:
            raise NotFound(_("This link is not valid."))
        self.report = report
        posted = self.request.method == "POST" and self.posts_rating()
        if posted and self.handle_rating(report):
            return self.request.response.redirect(engagement.private_url(report))
        return self.index()

    def facts(self):
        return tracked_facts(self.report)

    def rating_action(self):
        return f"{self.context.absolute_url()}/@@track"

    def rating_fields(self):
        return {"n": self.report.getId(), "t": self.token()}

    def photos(self):
        # The photos of a report that is not public yet cannot be shown to
        # an anonymous visitor: the page lists none.
        return []

    def messages(self):
        return messages.messages(self.report)

    def token(self):
        return self.request.form["t"]

    def still_a_problem(self):
        """{"url", "until"} of "still a problem" on a closed report, while
        it is accepted; the private token authorises it, no mail needed."""
        grant = followup.Grant(self.report)
        if followup.status(grant) != followup.OK:
            return None
        query = urlencode({"t": self.token()})
        return {
            "url": f"{self.report.absolute_url()}/@@still-a-problem?{query}",
            "until": followup.deadline(self.report),
        }


class TrackReplyView(BrowserView):
    """POST ``<report folder>/@@track-reply``: the citizen answers a question
    from their private page."""

    # A message the edge could not clean is refused with an error message.
    handles_bad_input = True

    def __call__(self):
        CheckAuthenticator(self.request)
        form = self.request.form
        report = engagement.tracked_report(self.context, form.get("n"), form.get("t"))
        if report is None:
            raise NotFound(_("This link is not valid."))
        back = self.request.response.redirect(engagement.private_url(report))
        decision = ratelimit.citizen_action(self.request)
        if not decision.allowed:
            self.request.response.setHeader("Retry-After", str(decision.retry_after))
            say(self.request, ratelimit.TOO_MANY_ACTIONS, "error")
            return back
        try:
            if "message" in bad_input(self.request):
                raise BadInput("message", bad_input(self.request)["message"])
            text = form_value(form, "message").strip()
        except BadInput as error:
            say(self.request, translate(error.message, context=self.request), "error")
            return back
        if text:
            messages.reply(report, text)
            say(self.request, _("Your answer has been sent to the municipality."))
        return back
