"""Messages between the municipality and the reporter about a report: a
question of the staff, the citizen's answer. Kept on the report, seen by the
staff in charge and the reporter only, and each one mailed to the other side."""

from collective.civicreports import _
from collective.civicreports.appio.steps import question_asked
from collective.civicreports.mail.send import send
from collective.civicreports.reports.engagement import MESSAGES
from collective.civicreports.reports.engagement import private_url
from collective.civicreports.reports.offices import group_emails
from collective.civicreports.reports.offices import moderators_group
from collective.civicreports.reports.offices import office_id
from collective.civicreports.reports.settings import site_language
from datetime import datetime
from persistent.list import PersistentList
from plone import api
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate


def messages(report):
    return list(IAnnotations(report).get(MESSAGES, ()))


def _add(report, sender, text):
    annotations = IAnnotations(report)
    if MESSAGES not in annotations:
        annotations[MESSAGES] = PersistentList()
    user = api.user.get_current()
    message = {
        "from": sender,
        "author": None if api.user.is_anonymous() else user.getId(),
        "text": text,
        "time": datetime.now().isoformat(timespec="minutes"),
    }
    annotations[MESSAGES].append(message)
    return message


def ask(report, text):
    """A question of the staff to the reporter; mailed with the private link."""
    message = _add(report, "staff", text)
    # Beside the mail (if any): the citizen may have no e-mail address.
    question_asked(report)
    if report.reporter_email:
        language = site_language()
        mapping = {
            "number": report.tracking_number,
            "title": report.title,
            "text": text,
            "link": private_url(report),
        }
        subject = translate(
            _(
                "mail_question_subject",
                default="Report ${number}: a question for you",
                mapping=mapping,
            ),
            target_language=language,
        )
        body = translate(
            _(
                "mail_question_body",
                default='About your report "${title}" the municipality asks:\n\n'
                "${text}\n\nYou can answer on the page of your report:\n\n${link}",
                mapping=mapping,
            ),
            target_language=language,
        )
        send(report.reporter_email, subject, body)
    return message


def reply(report, text):
    """The reporter's answer; mailed to the office and the moderators."""
    message = _add(report, "citizen", text)
    recipients = []
    for group in (office_id(report), moderators_group()):
        for address in group_emails(group):
            if address not in recipients:
                recipients.append(address)
    language = site_language()
    mapping = {
        "number": report.tracking_number,
        "text": text,
        "link": report.absolute_url(),
    }
    subject = translate(
        _(
            "mail_reply_subject",
            default="Report ${number}: the citizen has answered",
            mapping=mapping,
        ),
        target_language=language,
    )
    body = translate(
        _(
            "mail_reply_body",
            default="The reporter answered:\n\n${text}\n\n${link}",
            mapping=mapping,
        ),
        target_language=language,
    )
    send(recipients, subject, body)
    return message
