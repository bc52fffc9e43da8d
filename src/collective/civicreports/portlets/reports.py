"""The home page's way in: "Segnala un disservizio", a button to the form,
and the latest public reports, as a list and on a small map."""

from collective.civicreports import _
from collective.civicreports.browser.details import Dates
from collective.civicreports.browser.details import map_settings
from collective.civicreports.browser.service import service_folder
from collective.civicreports.reports.queries import public_query
from collective.civicreports.reports.timeline import state_title
from plone import api
from plone.app.portlets.portlets import base
from plone.portlets.interfaces import IPortletAssignmentMapping
from plone.portlets.interfaces import IPortletDataProvider
from plone.portlets.interfaces import IPortletManager
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import urlencode
from zope import schema
from zope.component import getMultiAdapter
from zope.component import getUtility
from zope.interface import implementer


class IReportsPortlet(IPortletDataProvider):
    count = schema.Int(
        title=_("Number of reports"),
        description=_("How many of the latest public reports to list."),
        required=True,
        default=5,
        min=1,
        max=20,
    )
    show_map = schema.Bool(
        title=_("Show the map"),
        description=_("The list is always shown: the map is never the only way."),
        required=False,
        default=True,
    )


@implementer(IReportsPortlet)
class Assignment(base.Assignment):
    def __init__(self, count=5, show_map=True):
        self.count = count
        self.show_map = show_map

    @property
    def title(self):
        return _("Report an inefficiency")


class Renderer(Dates, base.Renderer):
    render = ViewPageTemplateFile("reports.pt")
    _reports = None
    details_macros = ViewPageTemplateFile("../browser/templates/details.pt")

    @property
    def available(self):
        return self.folder() is not None

    def folder(self):
        return service_folder(self.request)

    def folder_url(self):
        return self.folder().getURL()

    def reports(self):
        if self._reports is None:
            query = public_query(self.folder().getObject())
            count = self.data.count or 5
            self._reports = api.portal.get_tool("portal_catalog")(
                sort_limit=count, **query
            )[:count]
        return self._reports

    def geojson_url(self):
        """The map's feed: the reports changed since the oldest of the list
        (about the same reports: a report answered later shows too)."""
        url = self.folder_url() + "/@reports-geojson"
        reports = self.reports()
        if not reports:
            return url
        since = min(brain.modified for brain in reports)
        return f"{url}?{urlencode({'since': since.ISO8601()})}"

    def map_settings(self):
        return map_settings()

    state_title = staticmethod(state_title)


class AddForm(base.AddForm):
    schema = IReportsPortlet
    label = _("Add the portlet of the reports")
    description = _("A button to the form and the latest public reports.")

    def create(self, data):
        return Assignment(
            count=data.get("count", 5), show_map=data.get("show_map", True)
        )


class EditForm(base.EditForm):
    schema = IReportsPortlet
    label = _("Edit the portlet of the reports")
    description = _("A button to the form and the latest public reports.")


ASSIGNMENT_ID = "civicreports-reports"


def assign_on_home(site, manager="plone.rightcolumn", count=5):
    """Put the portlet on the site's home page (the demo), once."""
    column = getUtility(IPortletManager, name=manager, context=site)
    assignments = getMultiAdapter((site, column), IPortletAssignmentMapping)
    if ASSIGNMENT_ID not in assignments:
        assignments[ASSIGNMENT_ID] = Assignment(count=count)
    return assignments[ASSIGNMENT_ID]
