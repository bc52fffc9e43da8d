"""The offices' screens: their dashboard, the page where a report is
handled (notes, questions to the citizen, answer, closing, reopening), and
the assignment from the moderation queue. What each button does is in
``reports/handling.py`` and ``reports/messages.py``."""

from collective.civicreports import _
from collective.civicreports.browser.details import StaffFacts
from collective.civicreports.browser.folder import FilteredReports
from collective.civicreports.browser.forms import PostedForm
from collective.civicreports.browser.forms import say
from collective.civicreports.categories.registry import active_categories
from collective.civicreports.categories.registry import get_category
from collective.civicreports.inputs import params
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.inputs.text import TOO_LONG
from collective.civicreports.permissions import may_moderate
from collective.civicreports.reports import handling
from collective.civicreports.reports import messages
from collective.civicreports.reports import protocol
from collective.civicreports.reports.offices import office_choices
from collective.civicreports.reports.offices import user_offices
from collective.civicreports.reports.queries import filtered_query
from collective.civicreports.reports.timeline import add_note
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.reports.workflow import ASSIGNED
from collective.civicreports.reports.workflow import CLOSED
from collective.civicreports.reports.workflow import HANDLING_STATES
from collective.civicreports.responses import templates as responses
from collective.civicreports.responses.templates import USES
from collective.civicreports.vocabularies.reports import CHANNEL_TITLES
from collective.civicreports.vocabularies.reports import RESOLUTION_TITLES
from DateTime import DateTime
from plone import api
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile


class AssignView(PostedForm):
    """POST ``<report>/@@assign``: office and comment, from the queue or the
    handling page."""

    def index(self):
        # Nothing to show: the form is on the queue and the handling page.
        return self.back()

    def handle(self, form):
        handling.assign(self.context, self.text("office"), self.text("comment"))
        say(self.request, _("The report has been assigned."))
        return self.back()

    def back(self):
        report = self.context
        if self.request.form.get("came_from") == "handle":
            return self.request.response.redirect(report.absolute_url() + "/@@handle")
        return self.request.response.redirect(
            report.__parent__.absolute_url() + "/@@moderation"
        )


class HandleView(StaffFacts, PostedForm):
    """``<report>/@@handle``: everything an office does on a report."""

    details_macros = ViewPageTemplateFile("templates/details.pt")

    def handle(self, form):
        report = self.context
        if "form.buttons.update" in form:
            text = self.text("public_update")
            if not text:
                say(self.request, _("Write the update first."), "error")
                return None
            add_note(report, text)
            say(self.request, _("The update is on the report's public page."))
        elif "form.buttons.notes" in form:
            handling.save_notes(report, self.text("internal_notes"))
            say(self.request, _("Internal notes saved."))
        elif "form.buttons.ask" in form:
            text = self.text("question")
            if not text:
                say(self.request, _("Write the question first."), "error")
                return None
            messages.ask(report, text)
            say(self.request, _("The question has been sent to the citizen."))
        elif "form.buttons.reopen" in form:
            if not self.can_reopen():
                return None
            handling.reopen(report)
            say(self.request, _("The report has been reopened."))
        elif "form.buttons.close" in form:
            try:
                handling.close(
                    report,
                    self.text("answer"),
                    self.text("resolution") or handling.FIXED,
                    self.text("competent_body"),
                    self.text("forward_to"),
                )
            except handling.NoAnswer:
                say(self.request, _("Write the public answer before closing."), "error")
                return None
            except handling.NoBody:
                say(
                    self.request,
                    _(
                        "Name the body the citizen should turn to, and give a "
                        "valid e-mail address to forward the report to it."
                    ),
                    "error",
                )
                return None
            say(self.request, _("The report has been closed."))
            return self.request.response.redirect(
                api.portal.get().absolute_url() + "/@@my-office"
            )
        elif "form.buttons.protocol" in form:
            number = self.text("protocol_number")
            if len(number) > protocol.PROTOCOL_MAX:
                raise BadInput(
                    "protocol_number",
                    _(TOO_LONG, mapping={"count": protocol.PROTOCOL_MAX}),
                )
            day = params.iso_date(form, "protocol_date") if number else None
            protocol.record(report, number, day)
            say(self.request, _("Protocol number saved."))
        elif any(f"form.buttons.{use}_template" in form for use in USES):
            # The page again, the template's text in its box (``prefill``).
            return None
        elif "form.buttons.answer" in form:
            handling.save_answer(report, self.text("answer"))
            say(self.request, _("Answer saved."))
        return self.request.response.redirect(report.absolute_url() + "/@@handle")

    def state(self):
        return api.content.get_state(self.context)

    def resolutions(self):
        return [
            {"id": key, "title": title}
            for key, title in RESOLUTION_TITLES.items()
            if key != handling.DUPLICATE_RESOLUTION
        ]

    def templates(self, use):
        # Asked twice a page (the choices and ``prefill``): read once.
        cache = self.__dict__.setdefault("_templates", {})
        if use not in cache:
            cache[use] = responses.offered(self.context, use)
        return cache[use]

    def prefill(self, use, current=""):
        """The text of the template chosen for ``use`` (the page without
        JavaScript), else ``current``."""
        if f"form.buttons.{use}_template" not in self.request.form:
            return current
        try:
            index = int(self.request.form.get(f"{use}_template", ""))
        except (TypeError, ValueError):
            return current
        offered = self.templates(use)
        return offered[index]["text"] if 0 <= index < len(offered) else current

    def state_title(self):
        return state_title(self.state())

    def can_close(self):
        return self.state() == ASSIGNED

    def can_reopen(self):
        return self.state() == CLOSED

    def can_reassign(self):
        return self.state() == ASSIGNED and may_moderate(self.context)

    def offices(self):
        return office_choices()

    def messages(self):
        return messages.messages(self.context)

    def category_title(self):
        category = get_category(self.context.category)
        return category.title if category else self.context.category

    def protocol(self):
        """The registration shown: the register's, when an integration
        provides it, else what the staff typed."""
        return protocol.protocol(self.context)

    def protocol_editable(self):
        # An integration's adapter makes the register the only source.
        return protocol.IProtocolNumber(self.context, None) is None

    def channel_title(self):
        return CHANNEL_TITLES.get(self.context.channel, self.context.channel)


class MyOfficeView(FilteredReports):
    """``@@my-office``: the reports in the hands of the user's offices, a
    page at a time: open ones by default, or closed ones, or both, of one
    category if asked. Reports still with the moderators are not listed:
    the office can do nothing with them yet.

    The catalog sorts (the answer's deadline is an index) and the page's
    rows come from its metadata: the cost follows the page, not the
    office's thousands of reports."""

    filter_names = ("scope", "category", "text", "sort")
    page_size = 50
    SCOPES = {"open": (ASSIGNED,), "closed": (CLOSED,), "all": HANDLING_STATES}
    SORTS = {
        "deadline": (["report_answer_due", "tracking_number"], "ascending"),
        "age": (["created", "tracking_number"], "ascending"),
        "number": ("tracking_number", "ascending"),
        "state": (["review_state", "report_answer_due"], "ascending"),
    }

    def groups(self):
        return sorted(user_offices())

    def brains(self):
        groups = self.groups()
        if not groups:
            return []
        filters = self.filters()
        sort_on, sort_order = self.SORTS.get(
            filters.get("sort"), self.SORTS["deadline"]
        )
        query = {
            "portal_type": "Report",
            "report_office": groups,
            "review_state": list(self.SCOPES.get(filters.get("scope"), (ASSIGNED,))),
            "sort_on": sort_on,
            "sort_order": sort_order,
        }
        return self.search(
            filtered_query(
                query, category=filters.get("category"), text=filters.get("text")
            )
        )

    def batch(self):
        batch = super().batch()
        now = DateTime()
        batch.rows = [self.row(brain, now) for brain in batch]
        return batch

    def row(self, brain, now):
        state = brain.review_state
        deadline = brain.report_answer_due
        if not isinstance(deadline, DateTime):
            deadline = None  # Missing.Value: not indexed since 1006
        overdue = state != CLOSED and deadline is not None and deadline < now
        return {
            "url": brain.getURL(),
            "number": brain.tracking_number,
            "title": brain.Title,
            "category": self.category_title(brain.report_category),
            "state": state,
            "state_title": state_title(state),
            "days": (now.timeTime() - brain.created.timeTime()) // 86400,
            "deadline": deadline,
            "overdue": overdue,
        }

    def scopes(self):
        return [
            {"id": "open", "title": _("scope_open", default="Open")},
            {"id": "closed", "title": _("scope_closed", default="Closed")},
            {"id": "all", "title": _("scope_all", default="All")},
        ]

    def sorts(self):
        return [
            {"id": "deadline", "title": _("Answer by")},
            {"id": "age", "title": _("Oldest first")},
            {"id": "number", "title": _("Tracking number")},
            {"id": "state", "title": _("Status")},
        ]

    def categories(self):
        groups = set(self.groups())
        return [
            {"id": key, "title": category.title}
            for key, category in active_categories()
            if category.office in groups
        ]


class InOfficeView(BrowserView):
    """Whether the user belongs to an office of some category (for the
    "My office" link of the user menu)."""

    def __call__(self):
        return bool(user_offices())
