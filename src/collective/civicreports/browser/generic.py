"""Plone's generic pages of a report and a report folder, where the toolbar
and the state menu lead the staff: changing a report, its state and its
contents happens on the add-on's own pages (``security/routes.py`` keeps
Plone's from everyone below Manager), so these lead there. A Manager
still gets Plone's own page."""

from collective.civicreports.permissions import may_answer
from collective.civicreports.permissions import may_moderate
from collective.civicreports.reports.workflow import staff_view
from collective.civicreports.security.routes import unrestricted
from plone import api
from plone.app.content.browser import contents
from plone.dexterity.browser.edit import DefaultEditView
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile

import os


def staff_page(report):
    """The add-on's page where the current user changes the report, or
    None if they may not."""
    view = staff_view(api.content.get_state(report))
    allowed = may_moderate if view == "@@moderate" else may_answer
    if view is not None and allowed(report):
        return f"{report.absolute_url()}/{view}"
    return None


def page_of(report):
    """Where the current user changes the report, or else its page."""
    return staff_page(report) or report.absolute_url()


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
