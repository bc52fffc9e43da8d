from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView


class PostedForm(BrowserView):
    """A page with forms: a POST, its CSRF token checked, goes to
    ``handle(form)``, which may answer (a redirect); else the page shows."""

    def __call__(self):
        if self.request.method == "POST":
            CheckAuthenticator(self.request)
            result = self.handle(self.request.form)
            if result is not None:
                return result
        return self.index()

    def handle(self, form):
        raise NotImplementedError
