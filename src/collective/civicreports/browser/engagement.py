"""Follow and support a public report; the reporter's private page."""

from collective.civicreports import _
from collective.civicreports import engagement
from collective.civicreports import messages
from collective.civicreports import ratelimit
from collective.civicreports.browser.report import DetailsMixin
from collective.civicreports.settings import setting
from collective.civicreports.validators import is_valid_email
from plone import api
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from Products.statusmessages.interfaces import IStatusMessage
from zExceptions import NotFound
from zope.interface import alsoProvides


SUPPORTED_COOKIE = "civicreports_supported"


class _Action(BrowserView):
    """A POST on a public report, answered by a redirect to it."""

    def message(self, text, kind="info"):
        IStatusMessage(self.request).add(text, type=kind)

    def __call__(self):
        if self.request.method != "POST":
            return self.request.response.redirect(self.context.absolute_url())
        CheckAuthenticator(self.request)
        # A write on a GET-free, authenticated form: the token was checked.
        alsoProvides(self.request, IDisableCSRFProtection)
        address = ratelimit.client_address(self.request)
        if not ratelimit.allow(
            "engagement", address, 10 * setting("anonymous_rate_limit")
        ):
            self.message(
                _("Too many requests from your address. Try again later."), "error"
            )
        else:
            self.act()
        return self.request.response.redirect(self.context.absolute_url())


class FollowView(_Action):
    def act(self):
        if api.user.is_anonymous():
            email = (self.request.form.get("email") or "").strip()
        else:
            email = api.user.get_current().getProperty("email") or ""
        if not is_valid_email(email):
            self.message(
                _("Give a valid e-mail address to follow the report."), "error"
            )
            return
        engagement.follow(self.context, email)
        self.message(_("You will receive an e-mail at each step of this report."))


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
        number = self.request.form.get("n", "")
        report = self.context.get(number) if isinstance(number, str) else None
        if report is None or not engagement.check_private_token(
            report, self.request.form.get("t")
        ):
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
        return self.request.form.get("t", "")
