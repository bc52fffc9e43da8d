"""What the pages of a report share: the maps' settings, and the public
facts of a report (its page and the reporter's private page)."""

from collective.civicreports.categories.registry import get_category
from collective.civicreports.reports import engagement
from collective.civicreports.reports.dates import iso
from collective.civicreports.reports.offices import group_title
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.reports.timeline import timeline
from collective.civicreports.reports.workflow import PUBLIC_STATES
from collective.civicreports.vocabularies.reports import KIND_TITLES
from plone import api
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile

import json


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


class Dates:
    """Dates on the pages: shown in the site's format, and as ISO 8601 for
    the ``datetime`` attribute of ``<time>``."""

    def date(self, value):
        return api.portal.get_localized_time(value, long_format=False)

    def iso(self, value):
        return iso(value)


class DetailsMixin(Dates):
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
        return self.state() in PUBLIC_STATES and not self.report.confidential

    def timeline(self):
        return timeline(self.report)

    def office_title(self):
        return group_title(self.report.office) if self.report.office else ""

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
