"""What moderators do to many reports at once, from the queue: approve,
reject with one reason, assign to an office, close as duplicates of one
report. Each report goes through the same functions as on its own page,
so it keeps its own history entry and its own mails, and the same rules
hold: a report whose personal-data findings nobody reviewed is not
approved (it is left in the queue, with the reason).

Plone's content rules run each rule once per object and request
(``DuplicateRuleFilter``): a report approved and then assigned in the same
request would lose the second mail of the rules both transitions trigger
(the followers'). ``each_step`` lets the rules run again between two
steps of one report.
"""

from collective.civicreports import _
from collective.civicreports.interfaces import IReport
from collective.civicreports.reports import handling
from collective.civicreports.reports import moderation
from collective.civicreports.reports.workflow import APPROVED
from collective.civicreports.reports.workflow import PUBLIC_STATES
from collective.civicreports.reports.workflow import SUBMITTED
from dataclasses import dataclass
from dataclasses import field
from plone import api
from plone.app.contentrules import handlers as rule_handlers


APPROVE = "approve"
REJECT = "reject"
ASSIGN = "assign"
DUPLICATE = "duplicate"
ACTIONS = (APPROVE, REJECT, ASSIGN, DUPLICATE)
# A page of the queue is 50; a request that names more is not a person's.
MAX_REPORTS = 100

# Why a report was left as it was.
FINDINGS = _(
    "personal data found by the detector: redact it or accept it on the "
    "report's moderation page"
)
WRONG_STATE = _("it is no longer waiting for this step")


@dataclass
class Outcome:
    """The reports changed, and those left as they were with the reason."""

    done: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (report, reason)


class NoOriginal(ValueError):
    """Closing as duplicates needs a report they repeat."""


def each_step():
    """Let every content rule run again on the objects already handled in
    this request (see the module's docstring): what the end of a request
    does, between two steps where no rule is running."""
    rule_handlers.close(None)


def reports_of(folder, numbers):
    """The reports of the folder with these tracking numbers, each once, in
    the order given; unknown numbers are left out."""
    found = []
    for number in dict.fromkeys(numbers):
        report = folder.get(number) if isinstance(number, str) else None
        if IReport.providedBy(report):
            found.append(report)
    return found


def _approve(report, outcome):
    if api.content.get_state(report) != SUBMITTED:
        outcome.skipped.append((report, WRONG_STATE))
        return False
    if moderation.unresolved_findings(report):
        outcome.skipped.append((report, FINDINGS))
        return False
    each_step()
    # The photos stay with the staff: choosing which to publish is done on
    # the report's own page, one look at a time.
    moderation.approve(report)
    return True


def approve(reports):
    outcome = Outcome()
    for report in reports:
        if _approve(report, outcome):
            outcome.done.append(report)
    return outcome


def _each_waiting(reports, outcome, step, but=None):
    """``step`` on each report still submitted (but ``but``)."""
    for report in reports:
        if report is but:
            continue
        if api.content.get_state(report) != SUBMITTED:
            outcome.skipped.append((report, WRONG_STATE))
            continue
        each_step()
        step(report)
        outcome.done.append(report)
    return outcome


def reject(reports, reason):
    return _each_waiting(
        reports, Outcome(), lambda report: moderation.reject(report, reason)
    )


def assign(reports, office, comment=""):
    """Assign approved reports; submitted ones are approved first, where
    their findings allow it."""
    outcome = Outcome()
    for report in reports:
        state = api.content.get_state(report)
        if state == SUBMITTED and not _approve(report, outcome):
            continue
        if state not in (SUBMITTED, APPROVED):
            outcome.skipped.append((report, WRONG_STATE))
            continue
        each_step()
        handling.assign(report, office, comment)
        outcome.done.append(report)
    return outcome


def close_as_duplicates(reports, original):
    """Close the reports as repeating ``original``. The original may be one
    of them still waiting: it is approved first, and if its findings keep
    it from being published nothing is closed."""
    if not IReport.providedBy(original):
        raise NoOriginal(original)
    outcome = Outcome()
    if api.content.get_state(original) == SUBMITTED and original in reports:
        if not _approve(original, outcome):
            raise NoOriginal(original)
        outcome.done.append(original)
    if api.content.get_state(original) not in PUBLIC_STATES:
        raise NoOriginal(original)
    return _each_waiting(
        reports,
        outcome,
        lambda report: moderation.mark_duplicate(report, original),
        but=original,
    )
