"""``@@my-reports``: a logged-in citizen's own reports, in any state."""

from collective.civicreports.browser.details import Dates
from collective.civicreports.categories.registry import get_category
from collective.civicreports.reports import engagement
from collective.civicreports.reports import messages
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.reports.timeline import timeline
from plone import api
from Products.Five.browser import BrowserView
from urllib.parse import urlencode


class MyReportsView(Dates, BrowserView):
    def __call__(self):
        if api.user.is_anonymous():
            portal_url = api.portal.get().absolute_url()
            return self.request.response.redirect(
                f"{portal_url}/login?{urlencode({'came_from': self.request.getURL()})}"
            )
        return self.index()

    def reports(self):
        user = api.user.get_current()
        catalog = api.portal.get_tool("portal_catalog")
        # The reporter is the report's Owner: the security index records
        # it, and only the reporter's own id is asked for.
        brains = catalog.unrestrictedSearchResults(
            portal_type="Report",
            allowedRolesAndUsers=f"user:{user.getId()}",
            sort_on="created",
            sort_order="descending",
        )
        reports = []
        for brain in brains:
            report = brain._unrestrictedGetObject()
            if "Owner" not in report.get_local_roles_for_userid(user.getId()):
                continue
            category = get_category(report.category)
            reports.append(
                {
                    "url": report.absolute_url(),
                    "number": report.tracking_number,
                    "title": report.Title(),
                    "category": category.title if category else report.category,
                    "state": api.content.get_state(report),
                    "state_title": state_title(api.content.get_state(report)),
                    "timeline": timeline(report),
                    "answer": report.answer,
                    "visible": api.user.has_permission("View", obj=report),
                    "messages": messages.messages(report),
                    "private_url": engagement.private_url(report),
                }
            )
        return reports
