from collective.civicreports.categories import get_category
from collective.civicreports.timeline import state_title
from collective.civicreports.vocabularies.reports import CHANNEL_TITLES
from collective.civicreports.vocabularies.reports import KIND_TITLES
from plone import api
from plone.dexterity.browser.view import DefaultView
from Products.Five.browser import BrowserView


VIEW_REPORTER = "collective.civicreports: View reporter data"
VIEW_NOTES = "collective.civicreports: View internal notes"


class ReportView(DefaultView):
    """A report's page: public data for everybody, personal data and notes
    only for those allowed to read them."""

    def category(self):
        category = get_category(self.context.category)
        if category is None:
            return {"title": self.context.category, "kind": ""}
        return {"title": category.title, "kind": KIND_TITLES.get(category.kind, "")}

    def state_title(self):
        return state_title(api.content.get_state(self.context))

    def channel_title(self):
        return CHANNEL_TITLES.get(self.context.channel, self.context.channel)

    def office_title(self):
        group = (
            api.group.get(groupname=self.context.office)
            if self.context.office
            else None
        )
        return group.getProperty("title") or group.getId() if group else ""

    def can_see_reporter(self):
        return api.user.has_permission(VIEW_REPORTER, obj=self.context)

    def can_see_notes(self):
        return api.user.has_permission(VIEW_NOTES, obj=self.context)

    def location(self):
        geolocation = getattr(self.context, "geolocation", None)
        if geolocation is None or geolocation.latitude is None:
            return None
        return {"latitude": geolocation.latitude, "longitude": geolocation.longitude}

    def photos(self):
        return [
            brain.getObject()
            for brain in api.content.find(
                context=self.context,
                portal_type="Image",
                depth=1,
                sort_on="getObjPositionInParent",
            )
        ]


class ReportFolderView(BrowserView):
    """The reports the current user may see, newest first."""

    def reports(self):
        brains = api.content.find(
            context=self.context,
            portal_type="Report",
            depth=1,
            sort_on="created",
            sort_order="descending",
        )
        return brains[:100]

    state_title = staticmethod(state_title)

    def category_title(self, category_id):
        category = get_category(category_id)
        return category.title if category is not None else category_id
