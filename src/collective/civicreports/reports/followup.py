"""After closing: "was it fixed?", and "still a problem".

A few days after a report is closed (``fixed_question_days``), the daily
job mails its reporter and each confirmed follower, once, a question with
two links of their own: "yes, it is fixed" records the answer, "no, still a
problem" lets them say what is wrong (and add a photo) and reopens the
report for its office, as FixMyStreet's "not fixed" does. For
``still_a_problem_days`` after closing the reporter can also say so from
their private page, whose token authorises them already.

The links' tokens live in an annotation of the report, each tied to the
closing it was sent for and to its address. The address is kept only as a
keyed digest: the retention of the reporter's data (``privacy/retention``)
knows nothing of this annotation, so nothing personal is left in it.
"""

from BTrees.OOBTree import OOBTree
from collective.civicreports import _
from collective.civicreports.mail.send import send
from collective.civicreports.reports import engagement
from collective.civicreports.reports import submission
from collective.civicreports.reports.offices import group_emails
from collective.civicreports.reports.offices import moderators_group
from collective.civicreports.reports.queries import unrestricted_reports
from collective.civicreports.reports.settings import setting
from collective.civicreports.reports.settings import site_language
from collective.civicreports.reports.workflow import CLOSE
from collective.civicreports.reports.workflow import CLOSED
from collective.civicreports.reports.workflow import history
from collective.civicreports.reports.workflow import REOPEN
from collective.civicreports.reports.workflow import staff_view
from collective.civicreports.reports.workflow import state_of
from datetime import datetime
from datetime import timedelta
from persistent.mapping import PersistentMapping
from plone import api
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate

import hashlib
import hmac
import secrets


FOLLOWUP = "collective.civicreports.followup"
MAX_COMMENT = 5000

# The answers, as the statistics count them.
FIXED = "fixed"
NOT_FIXED = "not_fixed"

# What a link may do now.
OK = "ok"
NOT_CLOSED = "not_closed"  # reopened meanwhile, or never closed
EXPIRED = "expired"  # after the days, or for an earlier closing
USED = "used"  # this link has reopened the report already

REPORTER = "reporter"
FOLLOWER = "follower"


class NoComment(ValueError):
    """A citizen says what is still wrong (within MAX_COMMENT), or the
    report is not reopened."""


class Grant:
    """What authorises a citizen: a link of the mail (``token`` is its key
    in the annotation) or the reporter's private link (``token`` None)."""

    def __init__(self, report, token=None):
        self.report = report
        self.token = token

    @property
    def private(self):
        return self.token is None

    @property
    def entry(self):
        return None if self.private else _data(self.report)["tokens"][self.token]


def _data(report):
    annotations = IAnnotations(report)
    data = annotations.get(FOLLOWUP)
    if data is None:
        data = annotations[FOLLOWUP] = PersistentMapping(
            {
                # The closing the question was mailed for, as ISO 8601.
                "asked": None,
                # The closing the reporter reopened from the private page.
                "private": None,
                "secret": secrets.token_bytes(16),
                "tokens": OOBTree(),
            }
        )
    return data


def _address_key(data, email):
    digest = hmac.new(data["secret"], email.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:32]


def last_closing(report):
    """When the report was closed, if it is closed by the office: a report
    closed as a duplicate is the original's business. None otherwise."""
    steps = history(report)
    if not steps or state_of(report) != CLOSED or steps[-1].action != CLOSE:
        return None
    return steps[-1].time


def deadline(report):
    """Until when "still a problem" is accepted, or None (not closed, or the
    setting turns it off)."""
    closed = last_closing(report)
    days = setting("still_a_problem_days")
    if closed is None or not days:
        return None
    return closed + timedelta(days=days)


def _now(now):
    return (now or datetime.now()).astimezone()


def status(grant, now=None):
    """OK, NOT_CLOSED, EXPIRED or USED: what ``grant`` may do now."""
    report = grant.report
    closed = last_closing(report)
    if closed is None:
        return NOT_CLOSED
    until = deadline(report)
    if until is None or _now(now) >= until:
        return EXPIRED
    if grant.private:
        used = _data(report)["private"] == closed.isoformat()
    else:
        if grant.entry["closed"] != closed.isoformat():
            return EXPIRED
        used = grant.entry["reopened"]
    return USED if used else OK


def find_grant(report, token, private=True):
    """The Grant of ``token`` (from a request: anything) on ``report``:
    one of the mail's links, or with ``private`` the reporter's private
    link; None when it is neither."""
    annotations = IAnnotations(report)
    data = annotations.get(FOLLOWUP)
    if data is not None:
        for known in data["tokens"]:
            if engagement.same_token(known, token):
                return Grant(report, known)
    if private and engagement.check_private_token(report, token):
        return Grant(report)
    return None


def _record(grant, **changes):
    # Replaced, not changed in place: the BTree must see the write.
    tokens = _data(grant.report)["tokens"]
    tokens[grant.token] = dict(tokens[grant.token], **changes)


def record_fixed(grant, now=None):
    """ "Yes, it is fixed", from the mail; returns the grant's status (only
    OK records)."""
    found = status(grant, now)
    if found == OK and not grant.private:
        _record(grant, answer=FIXED, answered=_now(now).isoformat())
    return found


def add_photo(report, photo):
    """A photo (``privacy.photos.Photo``, cleaned) added to the report after
    those it has, for the staff only until a moderator publishes it."""
    index = 1
    while report.hasObject(f"photo-{index}.{photo.extension}"):
        index += 1
    return submission.add_photo(report, photo, index)


def still_a_problem(grant, comment, photo=None, now=None):
    """Reopen the report with the citizen's comment (NoComment without
    one) and their photo, and tell the URP; returns the grant's status:
    nothing changes unless it is OK."""
    comment = (comment or "").strip()
    if comment_error(comment) is not None:
        raise NoComment(comment)
    found = status(grant, now)
    if found != OK:
        return found
    report = grant.report
    closed = last_closing(report)
    if grant.private:
        _data(report)["private"] = closed.isoformat()
    else:
        _record(grant, reopened=True, answer=NOT_FIXED, answered=_now(now).isoformat())
    if photo is not None:
        add_photo(report, photo)
    language = site_language()
    history_comment = translate(
        _(
            "still_a_problem_comment",
            default="The citizen reports that it is still a problem: ${comment}",
            mapping={"comment": comment},
        ),
        target_language=language,
    )
    # The citizen holds a link, not a role: the link is what the workflow's
    # guard would ask for. The office is told by the content rule of reopen.
    with api.env.adopt_roles(["Manager"]):
        api.content.transition(obj=report, transition=REOPEN, comment=history_comment)
    tell_moderators(report, comment, photo is not None)
    return OK


def comment_error(comment):
    """The message of a comment that cannot be taken, or None."""
    if not comment:
        return _("Say what is still wrong.")
    if len(comment) > MAX_COMMENT:
        return _("The comment is longer than 5000 characters.")
    return None


def tell_moderators(report, comment, with_photo):
    """Mail the URP the citizen's comment and the link to the report's
    handling page (nobody's address: the comment is the citizen's own)."""
    language = site_language()
    photo = _(
        "mail_still_a_problem_photo",
        default="A photo was added: only the staff see it until a moderator "
        "publishes it.",
    )
    mapping = {
        "number": report.tracking_number,
        "title": report.title,
        "comment": comment,
        "photo": translate(photo, target_language=language) + "\n\n"
        if with_photo
        else "",
        "url": f"{report.absolute_url()}/{staff_view(state_of(report))}",
    }
    subject = translate(
        _(
            "mail_still_a_problem_subject",
            default="Report ${number} reopened: still a problem",
            mapping=mapping,
        ),
        target_language=language,
    )
    body = translate(
        _(
            "mail_still_a_problem_body",
            default='A citizen says that the report ${number} "${title}", '
            "closed, is still a problem. It is back with its office.\n\n"
            "${comment}\n\n${photo}${url}",
            mapping=mapping,
        ),
        target_language=language,
    )
    send(group_emails(moderators_group()), subject, body)


# The "was it fixed?" mail of the daily job


def question_due(report, now=None):
    """The closing to ask about, if the question is due now: the days have
    passed, its links would still be valid, and it was not asked yet."""
    days = setting("fixed_question_days")
    closed = last_closing(report)
    until = deadline(report)
    if not days or closed is None or until is None:
        return None
    now = _now(now)
    if now < closed + timedelta(days=days) or now >= until:
        return None
    data = IAnnotations(report).get(FOLLOWUP)
    if data is not None and data["asked"] == closed.isoformat():
        return None
    return closed


def recipients(report):
    """(address, REPORTER or FOLLOWER): the reporter, then each confirmed
    follower, each address once."""
    found = {}
    if report.reporter_email:
        found[report.reporter_email.strip().lower()] = REPORTER
    for email in engagement.follower_emails(report):
        found.setdefault(email.strip().lower(), FOLLOWER)
    return list(found.items())


def _question(report, token, until, language):
    url = report.absolute_url()
    mapping = {
        "number": report.tracking_number,
        "title": report.title,
        "yes": f"{url}/@@it-is-fixed?t={token}",
        "no": f"{url}/@@still-a-problem?t={token}",
        "until": api.portal.get_localized_time(until, long_format=False),
    }
    subject = translate(
        _(
            "mail_fixed_question_subject",
            default="Report ${number}: was it fixed?",
            mapping=mapping,
        ),
        target_language=language,
    )
    body = translate(
        _(
            "mail_fixed_question_body",
            default='The report "${title}" (${number}) has been closed by '
            "the municipality. Was the problem fixed? One click is enough, "
            "no login is needed.\n\nYes, it is fixed:\n${yes}\n\n"
            "No, it is still a problem:\n${no}\n\n"
            "The links are valid until ${until}.",
            mapping=mapping,
        ),
        target_language=language,
    )
    return subject, body


def ask_whether_fixed(site, now=None):
    """Mail the "was it fixed?" question of every closed report whose day
    has come, once per closing: one mail per recipient, with their own
    links. Returns the number of mails."""
    language = site_language()
    mails = 0
    for report, _state in unrestricted_reports(site, (CLOSED,)):
        closed = question_due(report, now)
        if closed is None:
            continue
        data = _data(report)
        until = deadline(report)
        for email, who in recipients(report):
            token = engagement.new_token()
            data["tokens"][token] = {
                "address": _address_key(data, email),
                "who": who,
                "closed": closed.isoformat(),
                "answer": None,
                "answered": None,
                "reopened": False,
            }
            subject, body = _question(report, token, until, language)
            send(email, subject, body)
            mails += 1
        # The mails and the mark are committed (or aborted) together.
        data["asked"] = closed.isoformat()
    return mails


def answers(report):
    """{FIXED: n, NOT_FIXED: n} of the mails' links of the report."""
    counts = {FIXED: 0, NOT_FIXED: 0}
    data = IAnnotations(report).get(FOLLOWUP)
    for entry in data["tokens"].values() if data is not None else ():
        if entry["answer"] in counts:
            counts[entry["answer"]] += 1
    return counts
