"""Messages between the municipality and the reporter about a report: a
question of the staff, the citizen's answer. Kept on the report, seen by the
staff in charge and the reporter only, and each one mailed to the other side."""

from collective.civicreports import _
from collective.civicreports.mail.substitutions import group_emails
from collective.civicreports.mail.substitutions import office_id
from collective.civicreports.reports.engagement import private_url
from datetime import datetime
from persistent.list import PersistentList
from plone import api
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate


KEY = "collective.civicreports.messages"


def messages(report):
    return list(IAnnotations(report).get(KEY, ()))


def _add(report, sender, text):
    annotations = IAnnotations(report)
    if KEY not in annotations:
        annotations[KEY] = PersistentList()
    user = api.user.get_current()
    message = {
        "from": sender,
        "author": None if api.user.is_anonymous() else user.getId(),
        "text": text,
        "time": datetime.now().isoformat(timespec="minutes"),
    }
    annotations[KEY].append(message)
    return message


def _language():
    return api.portal.get_registry_record("plone.default_language", default="en")


def _send(recipients, subject, body):
    for recipient in recipients:
        api.portal.send_email(recipient=recipient, subject=subject, body=body)


def ask(report, text):
    """A question of the staff to the reporter; mailed with the private link."""
    message = _add(report, "staff", text)
    if report.reporter_email:
        language = _language()
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
        _send([report.reporter_email], subject, body)
    return message


def reply(report, text):
    """The reporter's answer; mailed to the office and the moderators."""
    message = _add(report, "citizen", text)
    recipients = []
    moderators = api.portal.get_registry_record(
        "collective.civicreports.moderators_group", default="moderators"
    )
    for group in (office_id(report), moderators):
        for address in group_emails(group).split(","):
            address = address.strip()
            if address and address not in recipients:
                recipients.append(address)
    language = _language()
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
    _send(recipients, subject, body)
    return message
