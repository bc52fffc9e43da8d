"""What the pages of a report share: the maps' settings, the public facts
of a report (its page and the reporter's private page), and what the staff
see where they work on it."""

from collective.civicreports import _
from collective.civicreports.categories.registry import get_category
from collective.civicreports.reports import engagement
from collective.civicreports.reports import moderation
from collective.civicreports.reports.dates import iso
from collective.civicreports.reports.offices import group_title
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.reports.timeline import timeline
from collective.civicreports.reports.workflow import ASSIGN
from collective.civicreports.reports.workflow import CLOSED
from collective.civicreports.reports.workflow import history as workflow_history
from collective.civicreports.reports.workflow import PUBLIC_STATES
from collective.civicreports.reports.workflow import REASSIGN
from collective.civicreports.reports.workflow import WORKFLOW_ID
from collective.civicreports.vocabularies.reports import KIND_TITLES
from collective.civicreports.vocabularies.reports import RESOLUTION_TITLES
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


def location_of(report):
    """{"latitude", "longitude"} of the report's place, or None."""
    geolocation = getattr(report, "geolocation", None)
    if geolocation is None or geolocation.latitude is None:
        return None
    return {"latitude": geolocation.latitude, "longitude": geolocation.longitude}


class Dates:
    """Dates on the pages: shown in the site's format, and as ISO 8601 for
    the ``datetime`` attribute of ``<time>``."""

    def date(self, value):
        return api.portal.get_localized_time(value, long_format=False)

    def iso(self, value):
        return iso(value)

    def moment(self, value):
        """A date with its time, for the staff."""
        return api.portal.get_localized_time(value, long_format=True)


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

    def resolution(self):
        """How a closed report ended, or None."""
        if self.state() != CLOSED:
            return None
        return RESOLUTION_TITLES.get(getattr(self.report, "resolution", None))

    def location(self):
        return location_of(self.report)

    def map_settings(self):
        return map_settings()

    def photos(self):
        """The photos the visitor may see (catalog security applies)."""
        return api.content.find(
            context=self.report, portal_type="Image", depth=1, sort_on="id"
        )

    def support_count(self):
        return engagement.support_count(self.report)


class StaffFacts(Dates):
    """What the staff see of ``self.context`` on the pages where they work
    on it (``@@moderate`` and ``@@handle``): the place on a map, every
    photo, the reporter's contacts, the whole history with who did what.
    Both pages are for those who may read the reporter's data."""

    def location(self):
        return location_of(self.context)

    def map_settings(self):
        return map_settings()

    def all_photos(self):
        return [
            {
                "url": photo.absolute_url(),
                "title": photo.Title(),
                "published": moderation.is_published(photo),
            }
            for photo in moderation.photos(self.context)
        ]

    def contacts(self):
        """(label, text, link) of each contact the reporter gave, one per line."""
        report = self.context
        found = []
        for label, value, scheme in (
            (_("Name"), report.reporter_fullname, None),
            (_("E-mail"), report.reporter_email, "mailto:"),
            (_("Phone"), report.reporter_phone, "tel:"),
            (_("Fiscal code"), report.reporter_fiscal_code, None),
        ):
            if value:
                link = f"{scheme}{value.replace(' ', '')}" if scheme else None
                found.append({"label": label, "text": value, "link": link})
        return found

    def history(self):
        """Every step, with its action, who did it and their comment."""
        workflow = api.portal.get_tool("portal_workflow")[WORKFLOW_ID]
        steps = []
        for step in workflow_history(self.context):
            transition = workflow.transitions.get(step.action) if step.action else None
            actor = api.user.get(userid=step.actor) if step.actor else None
            steps.append(
                {
                    "date": step.time,
                    "state": step.state,
                    "state_title": state_title(step.state),
                    "action": _(transition.title) if transition else _("Received"),
                    "actor": (actor.getProperty("fullname") or step.actor)
                    if actor
                    else step.actor,
                    "comment": step.comment,
                }
            )
        return steps

    def assignment_comment(self):
        """The moderator's comment of the last assignment."""
        for step in reversed(workflow_history(self.context)):
            if step.action in (ASSIGN, REASSIGN):
                return step.comment
        return ""
