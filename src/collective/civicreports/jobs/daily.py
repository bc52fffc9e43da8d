"""The daily job: remind the staff of overdue reports, and erase the
reporter's personal data once the retention period after closing is over.

Run once a day by cron or a systemd timer (see ``docs/operations.rst``)::

    bin/civicreports-daily etc/zope.conf Plone --url https://segnalazioni.example.it

Both steps are idempotent within a day, so running the job twice does no
harm: a report is reminded at most once per calendar day and erased once.
"""

from collective.civicreports import _
from collective.civicreports.behaviors.reporter import FIELDS
from collective.civicreports.mail.substitutions import group_emails
from collective.civicreports.mail.substitutions import office_id
from collective.civicreports.reports.engagement import FOLLOW_REQUESTS
from collective.civicreports.reports.engagement import FOLLOWERS
from collective.civicreports.reports.engagement import MESSAGES
from collective.civicreports.reports.engagement import SUPPORTERS
from collective.civicreports.reports.moderation import ACCEPTED
from collective.civicreports.reports.moderation import ORIGINAL
from collective.civicreports.reports.settings import setting
from collective.civicreports.sla.levels import report_sla
from datetime import datetime
from plone import api
from Products.CMFCore.utils import getToolByName
from urllib.parse import urlsplit
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate

import argparse
import calendar
import logging
import os
import re
import sys


logger = logging.getLogger(__name__)

REMINDED = "collective.civicreports.reminded"  # "YYYY-MM-DD" of the last reminder
ERASED = "collective.civicreports.erased"  # ISO date of the erasure
OMISSIS = "[omissis]"
WAITING_ASSIGNMENT = ("submitted", "approved")
WAITING_ANSWER = ("approved", "assigned")


def _reports(site, states):
    """(report, state) of the reports of every report folder of the site,
    whoever may see them: the job runs as the system user anyway."""
    catalog = getToolByName(site, "portal_catalog")
    brains = catalog.unrestrictedSearchResults(
        portal_type="Report", review_state=list(states)
    )
    for brain in brains:
        yield brain._unrestrictedGetObject(), brain.review_state


def _language():
    return api.portal.get_registry_record("plone.default_language", default="en")


# Reminders


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
    language = _language()
    reminded = 0
    open_states = WAITING_ASSIGNMENT + ("assigned",)
    for report, state in _reports(site, open_states):
        annotations = IAnnotations(report)
        if annotations.get(REMINDED) == today:
            continue
        sla = report_sla(report, state, now=now)
        # Late to be assigned: the moderators must act first, whatever else is late.
        if state in WAITING_ASSIGNMENT and sla["assignment"].overdue:
            kind, group = "assignment", setting("moderators_group")
        elif state in WAITING_ANSWER and sla["answer"].overdue:
            kind, group = "answer", office_id(report)
        else:
            continue
        recipients = [a.strip() for a in group_emails(group).split(",") if a.strip()]
        if not recipients:
            # Not marked: the reminder goes out once the group has an address.
            logger.warning("no address to remind %s (group %r)", report, group)
            continue
        subject, body = _reminder(report, kind, sla[kind].deadline, language)
        # One mail per address: no member sees the others' addresses.
        for recipient in recipients:
            api.portal.send_email(recipient=recipient, subject=subject, body=body)
        # The mails and the mark are committed (or aborted) together.
        annotations[REMINDED] = today
        reminded += 1
    return reminded


# Retention of personal data


def months_before(moment, months):
    """The same day and time ``months`` calendar months earlier (the last
    day of the month when that month is shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _closed_at(report):
    closes = [
        entry["time"]
        for entry in report.workflow_history.get("civicreport_workflow", ())
        if entry.get("action") == "close"
    ]
    return closes[-1].asdatetime().replace(tzinfo=None) if closes else None


def _personal_pattern(report):
    """A regular expression matching the reporter's data, or None. Case is
    ignored; a phone number also matches with spaces, dots or dashes."""
    parts = []
    for field in FIELDS:
        value = (getattr(report, field, None) or "").strip()
        if not value:
            continue
        if field == "reporter_phone":
            digits = [re.escape(c) for c in value if not c.isspace()]
            parts.append(r"[\s./-]*".join(digits))
        else:
            parts.append(re.escape(value))
    if not parts:
        return None
    parts.sort(key=len, reverse=True)  # the e-mail before a name it may contain
    return re.compile("|".join(parts), re.IGNORECASE)


def _scrub(text, pattern):
    return pattern.sub(OMISSIS, text) if isinstance(text, str) else text


def erase_report(report, today):
    """Erase the reporter's data from one report; its public text, answer and
    state stay. The audit trail keeps who did what, minus the reporter."""
    pattern = _personal_pattern(report)
    if pattern is not None:
        history = report.workflow_history
        for workflow_id, entries in list(history.items()):
            history[workflow_id] = tuple(
                dict(entry, comments=_scrub(entry["comments"], pattern))
                if entry.get("comments")
                else entry
                for entry in entries
            )
        original = IAnnotations(report).get(ORIGINAL)
        if original is not None:
            for text in [original, *original.get("changes", ())]:
                for key in ("title", "description", "address"):
                    if key in text:
                        text[key] = _scrub(text[key], pattern)
            original._p_changed = True  # the changes are plain dicts in a list
    exchanged = IAnnotations(report).get(MESSAGES)
    if exchanged is not None:
        # What the citizen wrote is theirs; the staff's questions keep their
        # text, less any of the reporter's data.
        for index, message in enumerate(list(exchanged)):
            if message.get("from") == "citizen":
                text = OMISSIS
            elif pattern is not None:
                text = _scrub(message.get("text") or "", pattern)
            else:
                continue
            exchanged[index] = dict(message, text=text, author=None)
    for field in FIELDS:
        setattr(report, field, None)
    # The answers to the category's questions are the reporter's too.
    report.answers = None
    annotations = IAnnotations(report)
    for key in (FOLLOWERS, FOLLOW_REQUESTS, SUPPORTERS):
        # Who follows, asked to, or supports it; the public counter stays.
        if annotations.get(key) is not None:
            annotations[key].clear()
    accepted = annotations.get(ACCEPTED)
    if accepted is not None:
        # What the moderators accepted is in the public text; the record
        # of the decision keeps who and when, not the data.
        for index, item in enumerate(list(accepted)):
            accepted[index] = dict(item, text=OMISSIS)
    annotations[ERASED] = today
    # Personal data is never indexed (content/indexers.py); refresh the
    # report's entry without touching its modification date, which the
    # public pages show as the report's last change.
    report.reindexObject(idxs=["SearchableText"])


def erase_personal_data(site, now=None):
    """Erase the reporter's data from the reports closed more than
    ``retention_months`` ago (0: keep them). Returns the number erased."""
    months = setting("retention_months")
    if not months:
        return 0
    now = now or datetime.now()
    limit = months_before(now, months)
    erased = 0
    for report, _state in _reports(site, ("closed",)):
        if ERASED in IAnnotations(report):
            continue
        closed = _closed_at(report)
        if closed is None or closed >= limit:
            continue
        erase_report(report, now.date().isoformat())
        erased += 1
    return erased


# The console script


def set_public_url(request, site, url):
    """Make ``absolute_url`` give the public address of the site in the
    mails, as a virtual host does for the requests of the web server."""
    parts = urlsplit(url)
    request.setServerURL(parts.scheme, parts.hostname, parts.port)
    request.other["PARENTS"] = [site]
    request.setVirtualRoot(parts.path)


def run(app, site_id, url=None, now=None):
    """Both steps on the site, committed; returns (reminders, erased).
    Usable from ``zconsole run`` or ``bin/instance run`` scripts too."""
    from AccessControl.SecurityManagement import newSecurityManager
    from AccessControl.SpecialUsers import system
    from Acquisition import aq_base
    from Testing.makerequest import makerequest
    from zope.component.hooks import setSite
    from zope.globalrequest import setRequest

    import transaction

    app = makerequest(aq_base(app))
    app.REQUEST["PARENTS"] = [app]
    setRequest(app.REQUEST)
    newSecurityManager(None, system)
    # A report written by the staff meanwhile: retry on a fresh state. No mail
    # leaves before the commit, so a retried attempt does not send twice.
    for attempt in transaction.manager.attempts(3):
        with attempt:
            site = app.unrestrictedTraverse(site_id, None)
            if site is None:
                raise LookupError(f"no site {site_id!r} in the database")
            setSite(site)
            if url:
                set_public_url(app.REQUEST, site, url)
            result = send_reminders(site, now), erase_personal_data(site, now)
    return result


def _plural(count, word):
    return f"{count} {word}" + ("" if count == 1 else "s")


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="civicreports-daily",
        description="Remind the staff of overdue citizen reports and erase "
        "the reporter's data once the retention period is over.",
    )
    parser.add_argument("zope_conf", help="the instance's zope.conf")
    parser.add_argument("site_id", help="id of the Plone site, e.g. Plone")
    parser.add_argument(
        "--url",
        help="public address of the site, for the links in the mails "
        "(e.g. https://segnalazioni.example.it)",
    )
    args = parser.parse_args(argv)
    if not os.path.isfile(args.zope_conf):
        parser.error(f"no such file: {args.zope_conf}")

    from zc.lockfile import LockError
    from Zope2.Startup.run import make_wsgi_app

    import Zope2

    logging.basicConfig(level=logging.WARNING)
    # Only queue the mails (when the site uses a queue): the instance's queue
    # thread sends them. A thread of this short-lived process could be cut
    # off mid-send, leaving a lock that holds the mail for hours.
    os.environ["MAILHOST_QUEUE_ONLY"] = "1"
    try:
        make_wsgi_app({}, args.zope_conf)
    except LockError:
        sys.exit(
            "civicreports-daily: the database is locked by the running instance; "
            "use ZEO or RelStorage, or stop the instance (see docs/operations.rst)"
        )
    app = Zope2.app()
    try:
        reminders, erased = run(app, args.site_id, url=args.url)
    except LookupError as error:
        sys.exit(f"civicreports-daily: {error}")
    finally:
        app._p_jar.close()
    print(
        f"civicreports-daily: {_plural(reminders, 'reminder')} sent, "
        f"{_plural(erased, 'report')} erased",
        flush=True,
    )
    return 0
