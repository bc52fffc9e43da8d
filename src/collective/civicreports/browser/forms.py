from collective.civicreports.inputs.edge import bad_input
from collective.civicreports.inputs.form import value
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.reports.commits import committed
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView
from Products.statusmessages.interfaces import IStatusMessage
from zope.i18n import translate

import transaction


def say(request, text, kind="info"):
    """A status message on the next page."""
    IStatusMessage(request).add(text, type=kind)


class PostedForm(BrowserView):
    """A page with forms: a POST, its CSRF token checked, goes to
    ``handle(form)``, which may answer (a redirect); else the page shows.

    A value that cannot be used (sent twice, or not cleanable by the edge)
    shows as an error on the page and changes nothing."""

    handles_bad_input = True

    def __call__(self):
        if self.request.method == "POST":
            CheckAuthenticator(self.request)
            try:
                for field, message in bad_input(self.request).items():
                    raise BadInput(field, message)
                # Not lost to a moderator or a citizen acting at the same
                # time: see reports/commits.py.
                result = committed(lambda: self.handle(self.request.form))
            except BadInput as error:
                # Whatever handle wrote before finding out is not kept.
                transaction.doom()
                self.say_bad_input(error)
                result = None
            if result is not None:
                return result
        return self.index()

    def handle(self, form):
        raise NotImplementedError

    def text(self, name, default=""):
        """One text input, stripped; BadInput if it was sent twice."""
        return value(self.request.form, name, default).strip()

    def say_bad_input(self, error):
        message = translate(error.message, context=self.request)
        say(
            self.request,
            f"{error.field}: {message}" if error.field else message,
            "error",
        )
