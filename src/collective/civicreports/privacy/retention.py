"""The retention of the reporter's personal data: N months after its last
closing (Site Setup > Citizen reports; 0 keeps them), a report loses its
reporter's data, wherever they are kept. The report itself stays as the
public knows it. A report is erased once."""

from collective.civicreports.behaviors.reporter import FIELDS
from collective.civicreports.privacy.detectors import OMISSIS
from collective.civicreports.reports.dates import aware
from collective.civicreports.reports.engagement import FOLLOW_REQUESTS
from collective.civicreports.reports.engagement import FOLLOWERS
from collective.civicreports.reports.engagement import MESSAGES
from collective.civicreports.reports.engagement import SUPPORTERS
from collective.civicreports.reports.moderation import ACCEPTED
from collective.civicreports.reports.moderation import ORIGINAL
from collective.civicreports.reports.queries import unrestricted_reports
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.workflow import CLOSE
from collective.civicreports.reports.workflow import CLOSED
from collective.civicreports.reports.workflow import last_time
from datetime import datetime
from dateutil.relativedelta import relativedelta
from zope.annotation.interfaces import IAnnotations

import re


ERASED = "collective.civicreports.erased"  # ISO date of the erasure


def months_before(moment, months):
    """The same day and time ``months`` calendar months earlier (the last
    day of the month when that month is shorter)."""
    return moment - relativedelta(months=months)


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
    now = aware(now) or datetime.now().astimezone()
    limit = months_before(now, months)
    erased = 0
    for report, _state in unrestricted_reports(site, (CLOSED,)):
        if ERASED in IAnnotations(report):
            continue
        # From the last closing: a reopened report starts again.
        closed = last_time(report, CLOSE)
        if closed is None or closed >= limit:
            continue
        erase_report(report, now.date().isoformat())
        erased += 1
    return erased
