"""The steps of a report that its reporter is told about, as App IO
messages beside the e-mails: received, published, taken in charge, closed
with the answer, closed as a duplicate, not accepted, a question of the
staff. Only for reporters known by fiscal code, only when the settings
turn it on.

The texts carry no personal data and none of the report's text (the
subject is what a phone's lock screen shows, and IO is a third party):
the number, the step, the office, and the links to the report's private
page and to the citizen's area, where the rest is. Nothing here raises
into the request that caused the step.
"""

from collective.civicreports import _
from collective.civicreports.appio.client import MARKDOWN_LENGTH
from collective.civicreports.appio.client import SUBJECT_LENGTH
from collective.civicreports.appio.interfaces import IAppIOSettings
from collective.civicreports.appio.interfaces import parse_key_line
from collective.civicreports.appio.interfaces import PREFIX
from collective.civicreports.appio.spool import enqueue
from collective.civicreports.reports.engagement import private_url
from collective.civicreports.reports.offices import group_title
from collective.civicreports.reports.offices import office_id
from collective.civicreports.reports.settings import site_language
from collective.civicreports.reports.workflow import APPROVE
from collective.civicreports.reports.workflow import ASSIGN
from collective.civicreports.reports.workflow import CLOSE
from collective.civicreports.reports.workflow import DUPLICATE
from collective.civicreports.reports.workflow import REASSIGN
from collective.civicreports.reports.workflow import REJECT
from plone import api
from plone.registry.interfaces import IRegistry
from zope.component import queryUtility
from zope.i18n import translate
from zope.i18nmessageid import Message

import logging
import time


logger = logging.getLogger(__name__)

RECEIVED = "received"
QUESTION = "question"
# The transitions after which the reporter is mailed (contentrules.xml).
TRANSITION_STEPS = {
    APPROVE: "approved",
    ASSIGN: "assigned",
    REASSIGN: "assigned",
    CLOSE: "closed",
    DUPLICATE: "duplicate",
    REJECT: "rejected",
}

SUBJECTS = {
    RECEIVED: _("appio_subject_received", default="Report ${number}: received"),
    "approved": _("appio_subject_approved", default="Report ${number}: published"),
    "assigned": _(
        "appio_subject_assigned", default="Report ${number}: taken in charge"
    ),
    "closed": _("appio_subject_closed", default="Report ${number}: answered"),
    "duplicate": _("appio_subject_duplicate", default="Report ${number}: closed"),
    "rejected": _("appio_subject_rejected", default="Report ${number}: not accepted"),
    QUESTION: _(
        "appio_subject_question", default="Report ${number}: a question for you"
    ),
}

BODIES = {
    RECEIVED: _(
        "appio_body_received",
        default="The municipality has received your report number "
        "**${number}**. The public relations office will check it before it "
        "is published; your personal data are never published.",
    ),
    "approved": _(
        "appio_body_approved",
        default="Your report number **${number}** has been approved and is "
        "now public, without your personal data. It will now be assigned to "
        "the competent office.",
    ),
    "assigned": _(
        "appio_body_assigned",
        default="Your report number **${number}** has been taken in charge "
        "by: ${office}.",
    ),
    "closed": _(
        "appio_body_closed",
        default="The municipality has answered your report number "
        "**${number}** and closed it. The answer is on the page of the report.",
    ),
    "duplicate": _(
        "appio_body_duplicate",
        default="Your report number **${number}** has been closed: it "
        "concerns a problem that had already been reported.",
    ),
    "rejected": _(
        "appio_body_rejected",
        default="Your report number **${number}** has not been accepted. For "
        "further information you can write to the public relations office.",
    ),
    QUESTION: _(
        "appio_body_question",
        default="The municipality has a question about your report number "
        "**${number}**: read it and answer on the page of the report.",
    ),
}

LINK_REPORT = _(
    "appio_link_report",
    default="The page of your report (a private link: do not share it)",
)
LINK_AREA = _("appio_link_area", default="All your reports")
FOOTER = _(
    "appio_footer",
    default="An automatic message from the citizen reports service of ${site}.",
)


def settings():
    """The App IO settings, or None before their records are installed."""
    registry = queryUtility(IRegistry)
    if registry is None:
        return None
    try:
        return registry.forInterface(IAppIOSettings, prefix=PREFIX)
    except KeyError:
        return None


def key_for(category, current):
    """The key of the category's IO service, else the default one."""
    for line in current.category_keys or ():
        parsed = parse_key_line(line)
        if parsed and parsed[0] == category:
            return parsed[1]
    return (current.api_key or "").strip()


def area_url(report):
    """The citizen's area (browser/my_reports.py), at the site's root."""
    return api.portal.get_navigation_root(report).absolute_url() + "/@@my-reports"


def texts(report, step, language):
    """The subject and the markdown of ``step``, in ``language``."""
    mapping = {
        "number": report.tracking_number or report.getId(),
        "office": group_title(office_id(report)),
        "site": api.portal.get().Title(),
    }

    def tr(message):
        # A Message's own mapping is the one translate() interpolates.
        return translate(Message(message, mapping=mapping), target_language=language)

    subject = tr(SUBJECTS[step])[: SUBJECT_LENGTH[1]]
    markdown = "\n\n".join(
        (
            tr(BODIES[step]),
            f"- [{tr(LINK_REPORT)}]({private_url(report)})\n"
            f"- [{tr(LINK_AREA)}]({area_url(report)})",
            tr(FOOTER),
        )
    )[: MARKDOWN_LENGTH[1]]
    return subject, markdown


def send_step(report, step):
    """Queue the App IO message of ``step`` to the reporter, if they are
    known by fiscal code and the service is on; sent after the commit."""
    try:
        fiscal_code = (getattr(report, "reporter_fiscal_code", None) or "").strip()
        if not fiscal_code:
            return
        current = settings()
        if current is None or not current.enabled:
            return
        key = key_for(report.category, current)
        if not key:
            logger.warning(
                "App IO: no API key for the category %s: report %s told by e-mail only",
                report.category,
                report.tracking_number,
            )
            return
        subject, markdown = texts(report, step, site_language())
        now = time.time()
        enqueue(
            {
                "base_url": current.base_url,
                "key": key,
                "timeout": current.timeout,
                "fiscal_code": fiscal_code.upper(),
                "subject": subject,
                "markdown": markdown,
                "number": report.tracking_number,
                "step": step,
                "created": now,
                "attempts": 0,
                "due": now,
            }
        )
    except Exception:
        # The citizen's request goes on: they have the e-mail.
        logger.exception("App IO: could not queue the message of %s", step)


def question_asked(report):
    """For reports/messages.ask: the staff asked the reporter something."""
    send_step(report, QUESTION)


# Subscribers


def report_added(report, event):
    send_step(report, RECEIVED)


def report_transitioned(report, event):
    transition = getattr(event.transition, "id", None)
    step = TRANSITION_STEPS.get(transition)
    if step is not None:
        send_step(report, step)
