"""``<site>/author/<user id>``: Plone shows any member's full name, and a
form to write to them, to every other logged-in user. Most members of a
municipality's site are citizens who sent a report: their names are
personal data. The page is kept for the member themself and for who
manages the users."""

from AccessControl import getSecurityManager
from Products.CMFPlone.browser import author
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zExceptions import NotFound

import os


MANAGE_USERS = "Manage users"


class AuthorView(author.AuthorView):
    index = ViewPageTemplateFile(
        os.path.join(os.path.dirname(author.__file__), "templates", "author.pt")
    )

    def __call__(self):
        user = getSecurityManager().getUser()
        itself = self.username and user.getId() == self.username
        if not itself and not getSecurityManager().checkPermission(
            MANAGE_USERS, self.context
        ):
            raise NotFound(self.username or "")
        return super().__call__()
