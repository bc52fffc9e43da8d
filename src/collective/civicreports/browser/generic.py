"""Plone's generic pages of a report and a report folder, where the toolbar
and the state menu lead the staff: changing a report, its state and its
contents happens on the add-on's own pages (``security/routes.py`` keeps
Plone's from everyone below Manager), so these lead there. A Manager
still gets Plone's own page."""

from collective.civicreports.permissions import may_answer
from collective.civicreports.permissions import may_moderate
from collective.civicreports.reports.workflow import HANDLING_STATES
from collective.civicreports.reports.workflow import MODERATION_STATES
from collective.civicreports.security.routes import unrestricted
from plone import api
from plone.app.content.browser import contents
from plone.dexterity.browser.edit import DefaultEditView
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile

import os


def page_of(report):
    """The add-on's page where the current user changes the report."""
    state = api.content.get_state(report)
    if state in MODERATION_STATES and may_moderate(report):
        return report.absolute_url() + "/@@moderate"
    if state in HANDLING_STATES and may_answer(report):
        return report.absolute_url() + "/@@handle"
    return report.absolute_url()


class _Rendered:
    """The end of the chain of ``__call__``: render the template."""

    def __call__(self):
        return self.index()


class PloneContents(contents.FolderContentsView, _Rendered):
    index = ViewPageTemplateFile(
        os.path.join(
            os.path.dirname(contents.__file__), "templates", "folder_contents.pt"
        )
    )


class ReportPage(BrowserView):
    """``edit``, ``content_status_history`` (the state menu's "Advanced…")
    and ``folder_contents`` of a report."""

    plone_page = None

    def __call__(self):
        if self.plone_page is not None and unrestricted(self.context):
            page = self.plone_page(self.context, self.request)
            page.__name__ = self.__name__
            return page()
        return self.request.response.redirect(page_of(self.context))


class EditPage(ReportPage):
    plone_page = DefaultEditView


class ContentsPage(ReportPage):
    plone_page = PloneContents


class FolderContentsPage(BrowserView):
    """``folder_contents`` of a report folder: the moderation queue."""

    def __call__(self):
        if unrestricted(self.context):
            page = PloneContents(self.context, self.request)
            page.__name__ = self.__name__
            return page()
        if may_moderate(self.context):
            return self.request.response.redirect(
                self.context.absolute_url() + "/@@moderation"
            )
        return self.request.response.redirect(self.context.absolute_url())
