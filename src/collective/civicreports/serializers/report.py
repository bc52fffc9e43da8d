"""How plone.restapi answers ``GET <report>``: the report's fields, as for
any container, plus the public facts its page shows (the steps it went
through, its photos, its support).

Personal data needs nothing here: the reporter fields carry a read
permission, which the field serializers of plone.restapi honour. Children
need nothing either: ``items`` comes from a catalog search, which leaves
out the photos and attachments the user may not view."""

from collective.civicreports.interfaces import ICivicReportsLayer
from collective.civicreports.interfaces import IReport
from collective.civicreports.permissions import is_staff
from collective.civicreports.reports import engagement
from collective.civicreports.reports.moderation import is_published
from collective.civicreports.reports.moderation import photos
from collective.civicreports.reports.timeline import timeline
from plone import api
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.serializer.converters import json_compatible
from plone.restapi.serializer.dxcontent import SerializeFolderToJson
from zope.component import adapter
from zope.i18n import translate
from zope.interface import implementer


@implementer(ISerializeToJson)
@adapter(IReport, ICivicReportsLayer)
class ReportSerializer(SerializeFolderToJson):
    def __call__(self, version=None, include_items=True, include_expansion=True):
        result = super().__call__(
            version=version,
            include_items=include_items,
            include_expansion=include_expansion,
        )
        result["timeline"] = [
            {
                "state": step["state"],
                "title": translate(step["title"], context=self.request),
                "date": json_compatible(step["date"]),
                **({"note": step["note"]} if step["note"] else {}),
            }
            for step in timeline(self.context)
        ]
        result["photos"] = self._photos()
        result["support_count"] = engagement.support_count(self.context)
        return result

    def _photos(self):
        """The published photos; the staff, who choose which to publish,
        get every photo with its flag. The reporter, who may open their own
        unpublished photos, is shown what the public sees, as on the page."""
        staff = is_staff(self.context)
        found = []
        for photo in photos(self.context):
            published = is_published(photo)
            if not (published or staff):
                continue
            # A published photo follows the report, but check anyway: this
            # is the only place where children are listed without the catalog.
            if not api.user.has_permission("View", obj=photo):
                continue
            url = photo.absolute_url()
            item = {"@id": url, "url": f"{url}/@@images/image"}
            if staff:
                item["published"] = published
            found.append(item)
        return found
