"""The moderators' screens: the queue of submitted reports, and the page
where one is redacted, its photos chosen, and approved or rejected."""

from collective.civicreports import _
from collective.civicreports import moderation
from collective.civicreports.browser.forms import PostedForm
from collective.civicreports.categories import get_category
from collective.civicreports.settings import setting
from collective.civicreports.sla import report_sla
from collective.civicreports.vocabularies.reports import CHANNEL_TITLES
from datetime import datetime
from plone import api
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from Products.statusmessages.interfaces import IStatusMessage


KIND_TITLES = {
    "fiscal_code": _("fiscal code"),
    "phone": _("phone number"),
    "email": _("e-mail address"),
    "iban": _("IBAN"),
    "plate": _("number plate"),
    "name": _("the reporter's name"),
}


def age(created):
    """Hours since a DateTime, as a whole number."""
    return int((datetime.now().timestamp() - created.timeTime()) // 3600)


class ModerationQueueView(BrowserView):
    """``<report folder>/@@moderation``: submitted reports, oldest first."""

    # Each section shows the oldest reports only: a queue of thousands is a
    # problem of staffing, not of paging.
    LIMIT = 100

    def _brains(self, state):
        return api.content.find(
            context=self.context,
            portal_type="Report",
            review_state=state,
            sort_on="created",
            sort_order="ascending",
        )

    def totals(self):
        return {state: len(self._brains(state)) for state in ("submitted", "approved")}

    def items(self):
        items = []
        for brain in self._brains("submitted")[: self.LIMIT]:
            report = brain.getObject()
            category = get_category(report.category)
            status = report_sla(report, "submitted")["assignment"]
            items.append(
                {
                    "url": brain.getURL(),
                    "number": report.tracking_number,
                    "title": report.title,
                    "hours": age(brain.created),
                    "category": category.title if category else report.category,
                    "channel": CHANNEL_TITLES.get(report.channel, report.channel),
                    "overdue": status.overdue,
                    "deadline": status.deadline,
                }
            )
        return items

    def to_assign(self):
        return [
            {
                "url": brain.getURL(),
                "number": brain.tracking_number,
                "title": brain.Title,
                "office": brain.report_office,
            }
            for brain in self._brains("approved")[: self.LIMIT]
        ]

    def offices(self):
        from collective.civicreports.browser.handling import office_choices

        return office_choices()


class ModerateView(PostedForm):
    """``<report>/@@moderate``."""

    details_macros = ViewPageTemplateFile("templates/details.pt")

    def handle(self, form):
        report = self.context
        messages = IStatusMessage(self.request)
        if (
            "form.buttons.redact" in form
            or "form.buttons.approve" in form
            or ("form.buttons.confidential" in form)
        ):
            title = form.get("title", report.title) or report.title
            description = form.get("description", report.description) or ""
            if moderation.redact(report, title, description):
                messages.add(
                    _("The public text has been changed; the original is kept.")
                )
        if "form.buttons.approve" in form or "form.buttons.confidential" in form:
            confidential = "form.buttons.confidential" in form
            published = form.get("publish_photos", []) or []
            if isinstance(published, str):
                published = [published]
            moderation.approve(
                report, confidential=confidential, published_photos=published
            )
            messages.add(
                _("The report has been approved as confidential.")
                if confidential
                else _("The report has been approved and published.")
            )
            return self.back_to_queue()
        if "form.buttons.duplicate" in form:
            number = (form.get("duplicate_of") or "").strip()
            original = report.__parent__.get(number) if number else None
            if (
                original is None
                or original is report
                or api.content.get_state(original)
                in (
                    "submitted",
                    "rejected",
                )
            ):
                messages.add(
                    _(
                        "Give the tracking number of a public report to mark this one as its duplicate."
                    ),
                    type="error",
                )
                return None
            moderation.mark_duplicate(report, original)
            messages.add(_("The report has been closed as a duplicate."))
            return self.back_to_queue()
        if "form.buttons.reject" in form:
            reason = (form.get("reason_text") or form.get("reason") or "").strip()
            if not reason:
                messages.add(_("Give the reason of the rejection."), type="error")
                return None
            moderation.reject(report, reason)
            messages.add(_("The report has been rejected."))
            return self.back_to_queue()
        return None

    def back_to_queue(self):
        return self.request.response.redirect(
            self.context.__parent__.absolute_url() + "/@@moderation"
        )

    def is_submitted(self):
        return api.content.get_state(self.context) == "submitted"

    def original(self):
        return moderation.original_text(self.context)

    def findings(self):
        """Personal data found in the public text, to be highlighted."""
        try:
            from collective.civicreports.detectors import find_personal_data
        except ImportError:  # pragma: no cover - detectors come with issue 4
            return []
        names = [self.context.reporter_fullname or ""]
        found = []
        for field in ("title", "description"):
            text = getattr(self.context, field) or ""
            for match in find_personal_data(text, names):
                found.append(
                    {
                        "field": field,
                        "kind": KIND_TITLES.get(match.kind, match.kind),
                        "text": match.text,
                    }
                )
        return found

    def photos(self):
        return [
            {
                "id": photo.getId(),
                "url": photo.absolute_url(),
                "title": photo.Title(),
                "published": moderation.is_published(photo),
            }
            for photo in moderation.photos(self.context)
        ]

    def reasons(self):
        return setting("rejection_reasons") or []

    def category_title(self):
        category = get_category(self.context.category)
        return category.title if category else self.context.category
