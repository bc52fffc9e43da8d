"""Reminders of overdue reports, once a day: the moderators while a report
waits to be assigned, then its office while it waits for the answer (the
deadlines are the service levels of ``levels``). A report is reminded at
most once per calendar day."""

from collective.civicreports import _
from collective.civicreports.mail.send import send
from collective.civicreports.reports.offices import group_emails
from collective.civicreports.reports.offices import moderators_group
from collective.civicreports.reports.offices import office_id
from collective.civicreports.reports.queries import unrestricted_reports
from collective.civicreports.reports.settings import site_language
from collective.civicreports.reports.workflow import ASSIGNED
from collective.civicreports.reports.workflow import MODERATION_STATES
from collective.civicreports.reports.workflow import OPEN_STATES
from collective.civicreports.sla.levels import report_sla
from datetime import datetime
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate

import logging


logger = logging.getLogger(__name__)

REMINDED = "collective.civicreports.reminded"  # "YYYY-MM-DD" of the last reminder


def _reminder(report, kind, deadline, language):
    mapping = {
        "number": report.tracking_number or report.getId(),
        "title": report.title,
        "deadline": deadline.strftime("%Y-%m-%d %H:%M"),
        "url": report.absolute_url(),
    }
    if kind == "assignment":
        subject = _(
            "reminder_assignment_subject",
            default="Reminder: report ${number} is waiting to be assigned",
            mapping=mapping,
        )
        body = _(
            "reminder_assignment_body",
            default='The report ${number} "${title}" should have been assigned '
            "to its office by ${deadline}.\n\n${url}",
            mapping=mapping,
        )
    else:
        subject = _(
            "reminder_answer_subject",
            default="Reminder: report ${number} is waiting for an answer",
            mapping=mapping,
        )
        body = _(
            "reminder_answer_body",
            default='The report ${number} "${title}" should have been answered '
            "by ${deadline}.\n\n${url}",
            mapping=mapping,
        )
    return (
        translate(subject, target_language=language),
        translate(body, target_language=language),
    )


def send_reminders(site, now=None):
    """Mail the group in charge of every overdue open report, once a day:
    the moderators while it waits to be assigned, then its office.
    Returns the number of reports reminded."""
    now = now or datetime.now()
    today = now.date().isoformat()
    language = site_language()
    reminded = 0
    for report, state in unrestricted_reports(site, (*MODERATION_STATES, ASSIGNED)):
        annotations = IAnnotations(report)
        if annotations.get(REMINDED) == today:
            continue
        sla = report_sla(report, state, now=now)
        # Late to be assigned: the moderators must act first, whatever else is late.
        if state in MODERATION_STATES and sla["assignment"].overdue:
            kind, group = "assignment", moderators_group()
        elif state in OPEN_STATES and sla["answer"].overdue:
            kind, group = "answer", office_id(report)
        else:
            continue
        recipients = group_emails(group)
        if not recipients:
            # Not marked: the reminder goes out once the group has an address.
            logger.warning("no address to remind %s (group %r)", report, group)
            continue
        subject, body = _reminder(report, kind, sla[kind].deadline, language)
        # One mail per address: no member sees the others' addresses.
        send(recipients, subject, body)
        # The mails and the mark are committed (or aborted) together.
        annotations[REMINDED] = today
        reminded += 1
    return reminded
