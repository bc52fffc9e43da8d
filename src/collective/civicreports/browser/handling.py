"""The offices' screens: their dashboard, and the page where a report is
handled (notes, questions to the citizen, answer, closing); assignment from
the moderation queue; the citizen's answer from the private page."""

from collective.civicreports import _
from collective.civicreports import engagement
from collective.civicreports import messages
from collective.civicreports.browser.forms import PostedForm
from collective.civicreports.categories import get_category
from collective.civicreports.sla import report_sla
from collective.civicreports.timeline import state_title
from collective.civicreports.vocabularies.reports import CHANNEL_TITLES
from datetime import datetime
from plone import api
from plone.protect import CheckAuthenticator
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from Products.statusmessages.interfaces import IStatusMessage
from zExceptions import NotFound
from zope.lifecycleevent import Attributes
from zope.lifecycleevent import modified


def _say(request, text, kind="info"):
    IStatusMessage(request).add(text, type=kind)


def office_choices():
    from collective.civicreports.vocabularies.reports import offices

    return [{"id": term.value, "title": term.title} for term in offices(None)]


class AssignView(BrowserView):
    """POST ``<report>/@@assign``: office and comment, from the queue."""

    def __call__(self):
        CheckAuthenticator(self.request)
        report = self.context
        office = self.request.form.get("office") or report.office
        comment = (self.request.form.get("comment") or "").strip()
        if office and office != report.office:
            report.office = office
            modified(report, Attributes(None, "office"))
        state = api.content.get_state(report)
        transition = "reassign" if state == "assigned" else "assign"
        api.content.transition(obj=report, transition=transition, comment=comment)
        _say(self.request, _("The report has been assigned."))
        back = self.request.form.get("came_from")
        if back == "handle":
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
            report.internal_notes = (form.get("internal_notes") or "").strip() or None
            modified(report, Attributes(None, "internal_notes"))
            _say(self.request, _("Internal notes saved."))
        elif "form.buttons.ask" in form:
            text = (form.get("question") or "").strip()
            if not text:
                _say(self.request, _("Write the question first."), "error")
                return None
            messages.ask(report, text)
            _say(self.request, _("The question has been sent to the citizen."))
        elif "form.buttons.answer" in form or "form.buttons.close" in form:
            answer = (form.get("answer") or "").strip()
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

    def __call__(self):
        CheckAuthenticator(self.request)
        form = self.request.form
        report = (
            self.context.get(form.get("n", ""))
            if isinstance(form.get("n"), str)
            else None
        )
        if report is None or not engagement.check_private_token(report, form.get("t")):
            raise NotFound(_("This link is not valid."))
        text = (form.get("message") or "").strip()
        if text:
            messages.reply(report, text)
            _say(self.request, _("Your answer has been sent to the municipality."))
        return self.request.response.redirect(engagement.private_url(report))


class InOfficeView(BrowserView):
    """Whether the user belongs to an office of some category (for the
    "My office" link of the user menu)."""

    def __call__(self):
        from collective.civicreports.categories import all_categories

        offices = {
            category.office for _key, category in all_categories() if category.office
        }
        user = api.user.get_current()
        return any(
            group.getId() in offices for group in api.group.get_groups(user=user)
        )
