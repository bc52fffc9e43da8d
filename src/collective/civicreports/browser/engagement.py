"""Follow and support a public report; the reporter's private page."""

from collective.civicreports import _
from collective.civicreports.browser.report import DetailsMixin
from collective.civicreports.inputs.form import value as form_value
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.privacy.validators import is_valid_email
from collective.civicreports.reports import engagement
from collective.civicreports.reports import messages
from collective.civicreports.reports.settings import setting
from collective.civicreports.security import ratelimit
from plone import api
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from Products.statusmessages.interfaces import IStatusMessage
from zExceptions import NotFound
from zope.i18n import translate
from zope.interface import alsoProvides


SUPPORTED_COOKIE = "civicreports_supported"


class _Action(BrowserView):
    """A POST on a public report, answered by a redirect to it."""

    # A value the edge could not clean is treated as a wrong one.
    handles_bad_input = True

    def message(self, text, kind="info"):
        IStatusMessage(self.request).add(text, type=kind)

    def __call__(self):
        if self.request.method != "POST":
            return self.request.response.redirect(self.context.absolute_url())
        CheckAuthenticator(self.request)
        # A write on a GET-free, authenticated form: the token was checked.
        alsoProvides(self.request, IDisableCSRFProtection)
        decision = ratelimit.hit(
            "engagement",
            ratelimit.client_of(self.request),
            setting("engagement_rate_limit"),
        )
        if not decision.allowed:
            self.message(
                _("Too many requests from your address. Try again later."), "error"
            )
            response = self.request.response
            response.setStatus(429)
            response.setHeader("Retry-After", str(decision.retry_after))
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
        token = engagement.ask_to_follow(self.context, email)
        if token is not None:
            self.send_confirmation(email, token)
        # The same answer whether or not the address follows already.
        self.message(
            _(
                "To follow the report, open the link we have sent to your "
                "e-mail address."
            )
        )

    def send_confirmation(self, email, token):
        mapping = {
            "number": self.context.tracking_number,
            "title": self.context.title,
            "link": f"{self.context.absolute_url()}/@@follow?confirm={token}",
        }
        subject = translate(
            _(
                "mail_follow_subject",
                default="Follow the report ${number}",
                mapping=mapping,
            ),
            context=self.request,
        )
        body = translate(
            _(
                "mail_follow_body",
                default="Someone, hopefully you, asked to receive an e-mail at "
                'each step of the report "${title}" (${number}).\n\nTo confirm, '
                "open this link within 7 days:\n\n${link}\n\nIf you did not "
                "ask for it, ignore this message: you will receive nothing else.",
                mapping=mapping,
            ),
            context=self.request,
        )
        api.portal.send_email(recipient=email, subject=subject, body=body)

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
        IStatusMessage(self.request).add(
            _("You no longer follow this report.")
            if done
            else _("This link is no longer valid.")
        )
        return self.request.response.redirect(self.context.absolute_url())


class TrackView(DetailsMixin, BrowserView):
    """``<report folder>/@@track?n=<number>&t=<token>``: the reporter's
    private page, in any state, without an account."""

    def __call__(self):
        form = self.request.form
        report = engagement.tracked_report(self.context, form.get("n"), form.get("t"))
        if report is None:
            raise NotFound(_("This link is not valid."))
        self.report = report
        return self.index()

    def photos(self):
        # The photos of a report that is not public yet cannot be shown to
        # an anonymous visitor: the page lists none.
        return []

    def messages(self):
        return messages.messages(self.report)

    def token(self):
        return self.request.form["t"]
