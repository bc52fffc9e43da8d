"""The offices' screens: their dashboard, the page where a report is
handled (notes, questions to the citizen, answer, closing, reopening), and
the assignment from the moderation queue. What each button does is in
``reports/handling.py`` and ``reports/messages.py``."""

from collective.civicreports import _
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
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.reports.workflow import ASSIGNED
from collective.civicreports.reports.workflow import CLOSED
from collective.civicreports.reports.workflow import HANDLING_STATES
from collective.civicreports.sla.levels import report_sla
from collective.civicreports.vocabularies.reports import CHANNEL_TITLES
from datetime import datetime
from plone import api
from plone.batching import Batch
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


class HandleView(PostedForm):
    """``<report>/@@handle``: everything an office does on a report."""

    details_macros = ViewPageTemplateFile("templates/details.pt")

    def handle(self, form):
        report = self.context
        if "form.buttons.notes" in form:
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
                handling.close(report, self.text("answer"))
            except handling.NoAnswer:
                say(self.request, _("Write the public answer before closing."), "error")
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
        elif "form.buttons.answer" in form:
            handling.save_answer(report, self.text("answer"))
            say(self.request, _("Answer saved."))
        return self.request.response.redirect(report.absolute_url() + "/@@handle")

    def state(self):
        return api.content.get_state(self.context)

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
    the office can do nothing with them yet."""

    filter_names = ("scope", "category", "text", "sort")
    page_size = 50
    SCOPES = {"open": (ASSIGNED,), "closed": (CLOSED,), "all": HANDLING_STATES}
    SORTS = ("deadline", "age", "number", "state")

    def groups(self):
        return sorted(user_offices())

    def brains(self):
        groups = self.groups()
        if not groups:
            return []
        filters = self.filters()
        query = {
            "portal_type": "Report",
            "report_office": groups,
            "review_state": list(self.SCOPES.get(filters.get("scope"), (ASSIGNED,))),
        }
        return self.search(
            filtered_query(
                query, category=filters.get("category"), text=filters.get("text")
            )
        )

    def batch(self):
        return Batch(self.items(), self.page_size, self.start())

    def items(self):
        """Every report listed, sorted: the order needs each one's deadline,
        which follows its category's term and the holidays."""
        items = []
        for brain in self.brains():
            report = brain.getObject()
            state = brain.review_state
            status = report_sla(report, state)["answer"]
            items.append(
                {
                    "url": brain.getURL(),
                    "number": report.tracking_number,
                    "title": report.title,
                    "category": self.category_title(report.category),
                    "state": state,
                    "state_title": state_title(state),
                    "days": (datetime.now().timestamp() - brain.created.timeTime())
                    // 86400,
                    "deadline": status.deadline,
                    "overdue": status.overdue and state != CLOSED,
                    "office": report.office,
                }
            )
        key = {
            "age": lambda i: -i["days"],
            "number": lambda i: i["number"],
            "state": lambda i: (i["state"], i["deadline"]),
        }.get(self.filters().get("sort"), lambda i: i["deadline"])
        return sorted(items, key=key)

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
