from collective.civicreports.categories.registry import get_category
from collective.civicreports.reports import engagement
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.reports.timeline import timeline
from collective.civicreports.vocabularies.reports import CHANNEL_TITLES
from collective.civicreports.vocabularies.reports import KIND_TITLES
from plone import api
from plone.dexterity.browser.view import DefaultView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile

import json


VIEW_REPORTER = "collective.civicreports: View reporter data"
VIEW_NOTES = "collective.civicreports: View internal notes"
PUBLIC = ("approved", "assigned", "closed")


def map_settings():
    """What the maps of the pages need, as JSON for a data attribute."""
    return json.dumps(
        {
            "center": [setting("map_center_latitude"), setting("map_center_longitude")],
            "zoom": setting("map_zoom"),
            "tiles": setting("tile_url"),
            "attribution": setting("tile_attribution"),
        }
    )


class DetailsMixin:
    """The public facts of ``self.report``, shared by its page and by the
    reporter's private page."""

    details_macros = ViewPageTemplateFile("templates/details.pt")

    def category(self):
        category = get_category(self.report.category)
        if category is None:
            return {"title": self.report.category, "kind": ""}
        return {"title": category.title, "kind": KIND_TITLES.get(category.kind, "")}

    def state(self):
        return api.content.get_state(self.report)

    def state_title(self):
        return state_title(self.state())

    def is_public(self):
        return self.state() in PUBLIC and not self.report.confidential

    def timeline(self):
        return timeline(self.report)

    def office_title(self):
        office = self.report.office
        group = api.group.get(groupname=office) if office else None
        if group is None:
            return ""
        return group.getProperty("title") or group.getId()

    def location(self):
        geolocation = getattr(self.report, "geolocation", None)
        if geolocation is None or geolocation.latitude is None:
            return None
        return {"latitude": geolocation.latitude, "longitude": geolocation.longitude}

    def map_settings(self):
        return map_settings()

    def photos(self):
        """The photos the visitor may see (catalog security applies)."""
        return api.content.find(
            context=self.report, portal_type="Image", depth=1, sort_on="id"
        )

    def support_count(self):
        return engagement.support_count(self.report)

    def date(self, value):
        return api.portal.get_localized_time(value, long_format=False)


class ReportView(DetailsMixin, DefaultView):
    """A report's page: public data for everybody, personal data and notes
    only for those allowed to read them."""

    @property
    def report(self):
        return self.context

    def channel_title(self):
        return CHANNEL_TITLES.get(self.context.channel, self.context.channel)

    def can_see_reporter(self):
        return api.user.has_permission(VIEW_REPORTER, obj=self.context)

    def can_see_notes(self):
        return api.user.has_permission(VIEW_NOTES, obj=self.context)

    def anonymous(self):
        return api.user.is_anonymous()
