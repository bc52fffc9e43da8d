"""The offices' screens: their dashboard, and the page where a report is
handled (notes, questions to the citizen, answer, closing); assignment from
the moderation queue; the citizen's answer from the private page."""

from collective.civicreports import _
from collective.civicreports.browser.forms import PostedForm
from collective.civicreports.categories.registry import get_category
from collective.civicreports.inputs.edge import bad_input
from collective.civicreports.inputs.form import value as form_value
from collective.civicreports.inputs.text import BadInput
from collective.civicreports.reports import engagement
from collective.civicreports.reports import messages
from collective.civicreports.reports.engagement import tracked_report
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.security import ratelimit
from collective.civicreports.sla.levels import report_sla
from collective.civicreports.vocabularies.reports import CHANNEL_TITLES
from datetime import datetime
from plone import api
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from Products.statusmessages.interfaces import IStatusMessage
from zExceptions import NotFound
from zope.i18n import translate
from zope.lifecycleevent import Attributes
from zope.lifecycleevent import modified


def _say(request, text, kind="info"):
    IStatusMessage(request).add(text, type=kind)


def office_choices():
    from collective.civicreports.vocabularies.reports import offices

    return [{"id": term.value, "title": term.title} for term in offices(None)]


class AssignView(PostedForm):
    """POST ``<report>/@@assign``: office and comment, from the queue."""

    def index(self):
        # Nothing to show: the form is on the queue and the handling page.
        return self.back()

    def handle(self, form):
        report = self.context
        office = self.text("office") or report.office
        comment = self.text("comment")
        if office and office != report.office:
            report.office = office
            modified(report, Attributes(None, "office"))
        state = api.content.get_state(report)
        transition = "reassign" if state == "assigned" else "assign"
        api.content.transition(obj=report, transition=transition, comment=comment)
        _say(self.request, _("The report has been assigned."))
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
            report.internal_notes = self.text("internal_notes") or None
            modified(report, Attributes(None, "internal_notes"))
            _say(self.request, _("Internal notes saved."))
        elif "form.buttons.ask" in form:
            text = self.text("question")
            if not text:
                _say(self.request, _("Write the question first."), "error")
                return None
            messages.ask(report, text)
            _say(self.request, _("The question has been sent to the citizen."))
        elif "form.buttons.reopen" in form:
            if not self.can_reopen():
                return None
            api.content.transition(obj=report, transition="reopen")
            _say(self.request, _("The report has been reopened."))
        elif "form.buttons.answer" in form or "form.buttons.close" in form:
            answer = self.text("answer")
            report.answer = answer or None
            modified(report, Attributes(None, "answer"))
            if "form.buttons.close" in form:
                if not answer:
                    _say(
                        self.request,
                        _("Write the public answer before closing."),
                        "error",
                    )
                    return None
                api.content.transition(obj=report, transition="close")
                _say(self.request, _("The report has been closed."))
                return self.request.response.redirect(
                    api.portal.get().absolute_url() + "/@@my-office"
                )
            _say(self.request, _("Answer saved."))
        return self.request.response.redirect(report.absolute_url() + "/@@handle")

    def state(self):
        return api.content.get_state(self.context)

    def state_title(self):
        return state_title(self.state())

    def can_close(self):
        return self.state() == "assigned"

    def can_reopen(self):
        return self.state() == "closed"

    def can_reassign(self):
        return self.state() == "assigned" and api.user.has_permission(
            "collective.civicreports: Moderate reports", obj=self.context
        )

    def offices(self):
        return office_choices()

    def messages(self):
        return messages.messages(self.context)

    def category_title(self):
        category = get_category(self.context.category)
        return category.title if category else self.context.category

    def channel_title(self):
        return CHANNEL_TITLES.get(self.context.channel, self.context.channel)


class MyOfficeView(BrowserView):
    """``@@my-office``: the reports assigned to the user's offices."""

    SORTS = ("deadline", "age", "number", "state")

    def groups(self):
        user = api.user.get_current()
        return [group.getId() for group in api.group.get_groups(user=user)]

    def items(self):
        groups = self.groups()
        if not groups:
            return []
        catalog = api.portal.get_tool("portal_catalog")
        items = []
        for brain in catalog(
            portal_type="Report",
            report_office=groups,
            review_state=["submitted", "approved", "assigned", "closed"],
        ):
            report = brain.getObject()
            state = brain.review_state
            status = report_sla(report, state)["answer"]
            items.append(
                {
                    "url": brain.getURL(),
                    "number": report.tracking_number,
                    "title": report.title,
                    "state": state,
                    "state_title": state_title(state),
                    "days": (datetime.now().timestamp() - brain.created.timeTime())
                    // 86400,
                    "deadline": status.deadline,
                    "overdue": status.overdue and state != "closed",
                    "office": report.office,
                }
            )
        sort = self.request.form.get("sort", "deadline")
        if not isinstance(sort, str):
            sort = "deadline"
        key = {
            "deadline": lambda i: i["deadline"],
            "age": lambda i: -i["days"],
            "number": lambda i: i["number"],
            "state": lambda i: i["state"],
        }.get(sort, lambda i: i["deadline"])
        return sorted(items, key=key)


class TrackReplyView(BrowserView):
    """POST ``<report folder>/@@track-reply``: the citizen answers a question
    from their private page."""

    # A message the edge could not clean is refused with an error message.
    handles_bad_input = True

    def __call__(self):
        CheckAuthenticator(self.request)
        form = self.request.form
        report = tracked_report(self.context, form.get("n"), form.get("t"))
        if report is None:
            raise NotFound(_("This link is not valid."))
        back = self.request.response.redirect(engagement.private_url(report))
        decision = ratelimit.hit(
            "engagement",
            ratelimit.client_of(self.request),
            setting("engagement_rate_limit"),
        )
        if not decision.allowed:
            self.request.response.setHeader("Retry-After", str(decision.retry_after))
            _say(
                self.request,
                _("Too many requests from your address. Try again later."),
                "error",
            )
            return back
        try:
            if "message" in bad_input(self.request):
                raise BadInput("message", bad_input(self.request)["message"])
            text = form_value(form, "message").strip()
        except BadInput as error:
            _say(self.request, translate(error.message, context=self.request), "error")
            return back
        if text:
            messages.reply(report, text)
            _say(self.request, _("Your answer has been sent to the municipality."))
        return back


class InOfficeView(BrowserView):
    """Whether the user belongs to an office of some category (for the
    "My office" link of the user menu)."""

    def __call__(self):
        from collective.civicreports.categories.registry import all_categories

        offices = {
            category.office for _key, category in all_categories() if category.office
        }
        user = api.user.get_current()
        return any(
            group.getId() in offices for group in api.group.get_groups(user=user)
        )
