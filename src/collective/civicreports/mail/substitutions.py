"""String substitutions (``${report_...}``) for the mails of content rules.

They read the report without security checks, as the rule runs for whoever
triggered it (often an anonymous citizen); what a mail contains is decided
by the administrators who write the rules.
"""

from collective.civicreports import _
from collective.civicreports.categories.registry import get_category
from collective.civicreports.interfaces import IReport
from collective.civicreports.reports import engagement
from collective.civicreports.reports.offices import group_emails
from collective.civicreports.reports.offices import group_title
from collective.civicreports.reports.offices import moderators_group
from collective.civicreports.reports.offices import office_id
from collective.civicreports.reports.settings import site_language
from collective.civicreports.reports.summary import as_text
from collective.civicreports.reports.summary import summary
from collective.civicreports.reports.timeline import state_title
from collective.civicreports.reports.workflow import last_comment
from collective.civicreports.reports.workflow import staff_view
from collective.civicreports.reports.workflow import state_of
from plone import api
from plone.stringinterp.adapters import BaseSubstitution
from zope.component import adapter
from zope.i18n import translate


CATEGORY = _("Citizen reports")


@adapter(IReport)
class ReportSubstitution(BaseSubstitution):
    category = CATEGORY


class TrackingNumber(ReportSubstitution):
    description = _("Tracking number of the report")

    def safe_call(self):
        return self.context.tracking_number or ""


class ReporterEmail(ReportSubstitution):
    description = _("E-mail address of the reporter")

    def safe_call(self):
        return self.context.reporter_email or ""


class ReporterName(ReportSubstitution):
    description = _("Full name of the reporter")

    def safe_call(self):
        return self.context.reporter_fullname or ""


class Office(ReportSubstitution):
    description = _("Name of the office in charge")

    def safe_call(self):
        return group_title(office_id(self.context))


class OfficeEmail(ReportSubstitution):
    description = _("E-mail addresses of the office in charge")

    def safe_call(self):
        return ", ".join(group_emails(office_id(self.context)))


class CategoryTitle(ReportSubstitution):
    description = _("Category of the report")

    def safe_call(self):
        category = get_category(self.context.category)
        return category.title if category is not None else self.context.category or ""


class CategoryEmails(ReportSubstitution):
    description = _("Notification addresses of the category")

    def safe_call(self):
        category = get_category(self.context.category)
        if category is None:
            return ""
        return ", ".join(category.notification_emails or [])


class ModeratorsEmail(ReportSubstitution):
    description = _("E-mail addresses of the moderators")

    def safe_call(self):
        return ", ".join(group_emails(moderators_group()))


class Answer(ReportSubstitution):
    description = _("Public answer of the office")

    def safe_call(self):
        return self.context.answer or ""


class Reason(ReportSubstitution):
    description = _("Comment of the last workflow step (the reason of a rejection)")

    def safe_call(self):
        return last_comment(self.context)


class Url(ReportSubstitution):
    description = _("Address of the report's page")

    def safe_call(self):
        return self.context.absolute_url()


class StaffUrl(ReportSubstitution):
    description = _(
        "Address of the page where the staff work on the report (moderation, "
        "or handling by the office)"
    )

    def safe_call(self):
        view = staff_view(state_of(self.context))
        url = self.context.absolute_url()
        return f"{url}/{view}" if view else url


class PrivateUrl(ReportSubstitution):
    description = _("The reporter's private link to the report")

    def safe_call(self):
        return engagement.private_url(self.context)


class FollowersEmails(ReportSubstitution):
    description = _("E-mail addresses of the citizens following the report")

    def safe_call(self):
        return ", ".join(engagement.follower_emails(self.context))


class StateTitle(ReportSubstitution):
    description = _("Status of the report, in the site's language")

    def safe_call(self):
        state = api.content.get_state(self.context)
        return translate(state_title(state), target_language=site_language())


class Summary(ReportSubstitution):
    """What the reporter sent, their own data included, as the PDF receipt
    has it: for the mails to the reporter only."""

    description = _(
        "Summary of the report, with the reporter's data (to the reporter only)"
    )

    def safe_call(self):
        return as_text(summary(self.context), language=site_language())
