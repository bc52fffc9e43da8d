"""The moderators' screens: the queue of submitted reports, and the page
where one is redacted, its photos chosen, and approved or rejected."""

from collective.civicreports import _
from collective.civicreports.browser.details import map_settings
from collective.civicreports.browser.details import StaffFacts
from collective.civicreports.browser.folder import FilteredReports
from collective.civicreports.browser.forms import PostedForm
from collective.civicreports.browser.forms import say
from collective.civicreports.categories.registry import active_categories
from collective.civicreports.categories.registry import get_category
from collective.civicreports.geo.nearby import nearby_reports
from collective.civicreports.inputs import params
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.reports import bulk
from collective.civicreports.reports import moderation
from collective.civicreports.reports.clusters import clusters
from collective.civicreports.reports.offices import office_choices
from collective.civicreports.reports.queries import queue_query
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.workflow import APPROVED
from collective.civicreports.reports.workflow import MODERATION_STATES
from collective.civicreports.reports.workflow import SUBMITTED
from collective.civicreports.sla.levels import report_sla
from collective.civicreports.vocabularies.reports import CHANNEL_TITLES
from collective.civicreports.vocabularies.reports import KIND_TITLES
from datetime import datetime
from plone import api
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from Products.statusmessages.interfaces import IStatusMessage
from urllib.parse import urlencode
from zope.i18n import translate

import json


def rejection_reasons():
    return setting("rejection_reasons") or []


def age(created):
    """Hours since a DateTime, as a whole number."""
    return int((datetime.now().timestamp() - created.timeTime()) // 3600)


class ModerationQueueView(FilteredReports):
    """``<report folder>/@@moderation``: submitted reports, oldest first,
    a page at a time, filtered and sorted as the moderator asks."""

    filter_names = ("category", "kind", "channel", "text", "sort", "findings", "bbox")
    page_size = 50
    # The approved reports wait for an office: the oldest ones first, a
    # section too long to read is a sign of staffing, not of paging.
    LIMIT = 100

    def _brains(self, state, **filters):
        return self.search(queue_query(self.context, state, **filters))

    def brains(self):
        filters = self.filters()
        if "bbox" in filters:
            try:
                filters["bbox"] = params.bbox(filters["bbox"])
            except BadInput as error:
                self.refused = [error.text(self.request)]
                del filters["bbox"]
        return self._brains(SUBMITTED, **filters)

    refused = ()

    def bad_filters(self):
        # Called after ``brains``: the area is refused there.
        return super().bad_filters() + list(self.refused)

    def findings_choices(self):
        return [
            {"id": "yes", "title": _("With personal data to review")},
            {"id": "no", "title": _("Without")},
        ]

    def map_settings(self):
        return map_settings()

    def _within(self, state, start, size):
        """The reports of ``state`` in this window of the queue's order."""
        self.window = (start, size)
        try:
            return self._brains(state)
        finally:
            self.window = None

    def totals(self):
        # A window of one: counted without sorting them all.
        found = {state: self._within(state, 0, 1) for state in MODERATION_STATES}
        return {
            state: getattr(brains, "actual_result_count", len(brains))
            for state, brains in found.items()
        }

    def sorts(self):
        return [
            {"id": "oldest", "title": _("Oldest first")},
            {"id": "newest", "title": _("Newest first")},
            {"id": "category", "title": _("By category")},
            {"id": "channel", "title": _("By channel")},
            {"id": "findings", "title": _("Most personal data to review first")},
        ]

    def categories(self):
        return [
            {"id": key, "title": category.title}
            for key, category in active_categories()
        ]

    def kinds(self):
        return [{"id": key, "title": title} for key, title in KIND_TITLES.items()]

    def channels(self):
        return [{"id": key, "title": title} for key, title in CHANNEL_TITLES.items()]

    def items(self, batch):
        items = []
        for brain in batch:
            report = brain.getObject()
            category = get_category(report.category)
            status = report_sla(report, SUBMITTED)["assignment"]
            items.append(
                {
                    "url": brain.getURL(),
                    "number": report.tracking_number,
                    "title": report.title,
                    "hours": age(brain.created),
                    "category": category.title if category else report.category,
                    "channel": CHANNEL_TITLES.get(report.channel, report.channel),
                    "findings": brain.report_findings or 0,
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
            for brain in self._within(APPROVED, 0, self.LIMIT)[: self.LIMIT]
        ]

    def offices(self):
        return office_choices()

    def reasons(self):
        return rejection_reasons()

    def duplicate_groups(self):
        return len(clusters(self.context))

    def kept_filters(self):
        """The filters and page, for the bulk form to come back to."""
        kept = dict(self.filters())
        if isinstance(self.request.form.get("b_start"), str):
            kept["b_start"] = self.request.form["b_start"]
        return [{"name": k, "value": v} for k, v in kept.items()]


class BulkModerationView(PostedForm):
    """POST ``<report folder>/@@moderation-bulk``: one action on the
    reports ticked in the queue, then back to the same page of it."""

    def index(self):
        return self.back()

    def handle(self, form):
        numbers = form.get("numbers", [])
        numbers = [numbers] if isinstance(numbers, str) else list(numbers)
        if not numbers:
            say(self.request, _("Tick the reports first."), "error")
            return self.back()
        if len(numbers) > bulk.MAX_REPORTS:
            say(
                self.request,
                _(
                    "At most ${count} reports at a time.",
                    mapping={"count": bulk.MAX_REPORTS},
                ),
                "error",
            )
            return self.back()
        reports = bulk.reports_of(self.context, numbers)
        outcome = self.act(form, reports)
        if outcome is None:
            return self.back()
        if outcome.done:
            say(
                self.request,
                _(
                    "${count} reports changed: ${numbers}.",
                    mapping={
                        "count": len(outcome.done),
                        "numbers": ", ".join(r.tracking_number for r in outcome.done),
                    },
                ),
            )
        for report, reason in outcome.skipped:
            say(
                self.request,
                _(
                    "${number} was left as it was: ${reason}.",
                    mapping={
                        "number": report.tracking_number,
                        "reason": translate(reason, context=self.request),
                    },
                ),
                "warning",
            )
        return self.back()

    def act(self, form, reports):
        """The Outcome of the button pressed, or None after an error."""
        if "form.buttons.approve" in form:
            return bulk.approve(reports)
        if "form.buttons.reject" in form:
            reason = self.text("reason_text") or self.text("reason")
            if not reason:
                say(self.request, _("Give the reason of the rejection."), "error")
                return None
            return bulk.reject(reports, reason)
        if "form.buttons.assign" in form:
            office = self.text("office")
            if office not in {choice["id"] for choice in office_choices()}:
                say(self.request, _("Choose the office."), "error")
                return None
            return bulk.assign(reports, office, self.text("comment"))
        if "form.buttons.duplicate" in form:
            number = self.text("duplicate_of")
            try:
                return bulk.close_as_duplicates(
                    reports, self.context.get(number) if number else None
                )
            except bulk.NoOriginal:
                say(self.request, NEEDS_ORIGINAL, "error")
                return None
        say(self.request, _("Choose what to do with the reports."), "error")
        return None

    def back(self):
        form = self.request.form
        if form.get("came_from") == "clusters":
            return self.request.response.redirect(
                self.context.absolute_url() + "/@@moderation-clusters"
            )
        kept = {
            name: form[name]
            for name in (*ModerationQueueView.filter_names, "b_start")
            if isinstance(form.get(name), str) and form[name]
        }
        url = self.context.absolute_url() + "/@@moderation"
        return self.request.response.redirect(
            f"{url}?{urlencode(kept)}" if kept else url
        )


class ModerationClustersView(BrowserView):
    """``<report folder>/@@moderation-clusters``: the waiting reports that
    may repeat each other, in groups, each with its map and the form that
    merges it into the report the moderator keeps."""

    def settings(self):
        return {
            "metres": setting("duplicate_distance"),
            "hours": setting("duplicate_hours"),
        }

    def clusters(self):
        found = []
        for cluster in clusters(self.context):
            category = get_category(cluster.category)
            items = [
                {
                    "number": brain.tracking_number,
                    "title": brain.Title,
                    "url": brain.getURL(),
                    "created": brain.created,
                    "latitude": brain.latitude,
                    "longitude": brain.longitude,
                }
                for brain in cluster.brains
            ]
            found.append(
                {
                    "id": cluster.brains[0].getId,
                    "category": category.title if category else cluster.category,
                    "reports": items,
                    "points": json.dumps(
                        [
                            {
                                "latitude": item["latitude"],
                                "longitude": item["longitude"],
                                "label": item["number"],
                            }
                            for item in items
                        ]
                    ),
                }
            )
        return found

    def map_settings(self):
        return map_settings()

    def date(self, value):
        return api.portal.get_localized_time(value, long_format=True)


NEEDS_ORIGINAL = _(
    "Give the tracking number of a public report to mark this one as its duplicate."
)


class ModerateView(StaffFacts, PostedForm):
    """``<report>/@@moderate``."""

    details_macros = ViewPageTemplateFile("templates/details.pt")

    def handle(self, form):
        report = self.context
        messages = IStatusMessage(self.request)
        decision = any(
            f"form.buttons.{name}" in form for name in ("approve", "confidential")
        )
        if "form.buttons.redact" in form or decision:
            changed = moderation.redact(
                report,
                self.text("title") or report.title,
                self.text("description", report.description or ""),
                self.text("address", report.address or ""),
            )
            if changed:
                messages.add(
                    _("The public text has been changed; the original is kept.")
                )
        if decision:
            confidential = "form.buttons.confidential" in form
            published = form.get("publish_photos", []) or []
            if isinstance(published, str):
                published = [published]
            try:
                moderation.approve(
                    report,
                    confidential=confidential,
                    published_photos=published,
                    accept=bool(form.get("accept_findings")),
                )
            except moderation.FindingsNotReviewed as error:
                messages.add(str(error), type="error")
                return None
            messages.add(
                _("The report has been approved as confidential.")
                if confidential
                else _("The report has been approved and published.")
            )
            return self.back_to_queue()
        if "form.buttons.duplicate" in form:
            number = self.text("duplicate_of")
            original = report.__parent__.get(number) if number else None
            try:
                if original is report:
                    raise bulk.NoOriginal(original)
                bulk.close_as_duplicates([report], original)
            except bulk.NoOriginal:
                messages.add(NEEDS_ORIGINAL, type="error")
                return None
            messages.add(_("The report has been closed as a duplicate."))
            return self.back_to_queue()
        if "form.buttons.reject" in form:
            reason = self.text("reason_text") or self.text("reason")
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
        return api.content.get_state(self.context) == SUBMITTED

    def original(self):
        return moderation.original_text(self.context)

    def findings(self):
        """Personal data found in the public text and not yet accepted, to
        be highlighted."""
        return [
            {
                "field": name,
                "kind": moderation.FINDING_TITLES.get(match.kind, match.kind),
                "text": match.text,
            }
            for name, match in moderation.unresolved_findings(self.context)
        ]

    def accepted_findings(self):
        return moderation.accepted_findings(self.context)

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
        return rejection_reasons()

    def category_title(self):
        category = get_category(self.context.category)
        return category.title if category else self.context.category

    def nearby(self):
        """The open public reports the form shows for this category and
        place: the citizen saw them (or they came after), and this report
        may repeat one of them."""
        location = self.location()
        if location is None:
            return []
        return [
            {
                "url": item["brain"].getURL(),
                "number": item["brain"].tracking_number,
                "title": item["brain"].Title,
                "distance": item["distance"],
            }
            for item in nearby_reports(
                self.context.__parent__,
                self.context.category,
                location["latitude"],
                location["longitude"],
                setting("nearby_distance"),
            )
            if item["brain"].getId != self.context.getId()
        ]
