"""The workflow of a report, in one place: its id, its states and the sets
of them that every route asks about, its transitions, and the one reader
of its history.

The definition itself is data: ``profiles/default/workflows/
civicreport_workflow/definition.xml``; ``tests/test_rules.py`` checks
that the names here are the ones there.
"""

from collective.civicreports.reports.dates import aware
from dataclasses import dataclass
from datetime import datetime


WORKFLOW_ID = "civicreport_workflow"

# States
SUBMITTED = "submitted"
APPROVED = "approved"
ASSIGNED = "assigned"
CLOSED = "closed"
REJECTED = "rejected"
STATES = (SUBMITTED, APPROVED, ASSIGNED, CLOSED, REJECTED)

# Seen by everybody, unless confidential.
PUBLIC_STATES = (APPROVED, ASSIGNED, CLOSED)
# Public and still waiting for the municipality.
OPEN_STATES = (APPROVED, ASSIGNED)
# Waiting for the moderators: to be approved, then to be assigned.
MODERATION_STATES = (SUBMITTED, APPROVED)
# In the hands of an office: to be answered, or answered.
HANDLING_STATES = (ASSIGNED, CLOSED)
# Nothing more is owed.
ENDED_STATES = (CLOSED, REJECTED)
# Every state but the rejected: what an office follows.
KEPT_STATES = (SUBMITTED, APPROVED, ASSIGNED, CLOSED)

# Transitions
APPROVE = "approve"
REJECT = "reject"
DUPLICATE = "duplicate"
ASSIGN = "assign"
REASSIGN = "reassign"
CLOSE = "close"
REOPEN = "reopen"
TRANSITIONS = (APPROVE, REJECT, DUPLICATE, ASSIGN, REASSIGN, CLOSE, REOPEN)


def staff_view(state):
    """The page where the staff work on a report in ``state``: the
    moderators' while it waits for them, the office's once assigned."""
    if state in MODERATION_STATES:
        return "@@moderate"
    if state in HANDLING_STATES:
        return "@@handle"
    return None


@dataclass(frozen=True)
class Step:
    """One entry of a report's workflow history."""

    action: str | None  # None for the creation
    state: str
    actor: str
    comment: str
    time: datetime  # time zone aware


def history(report):
    """The Steps of the report, oldest first. Read without any permission
    check: callers decide who sees what (``timeline`` shows the public
    steps only)."""
    entries = getattr(report, "workflow_history", {}).get(WORKFLOW_ID, ())
    return [
        Step(
            action=entry.get("action"),
            state=entry.get("review_state"),
            actor=entry.get("actor") or "",
            comment=entry.get("comments") or "",
            time=aware(entry["time"]),
        )
        for entry in entries
        if entry.get("review_state")
    ]


def state_of(report):
    """The review state, as the history says (no permission checked, unlike
    ``api.content.get_state``: for unrestricted searches)."""
    steps = history(report)
    return steps[-1].state if steps else None


def first_time(report, action):
    """When ``action`` first happened (service levels count from it), or
    None."""
    return next((s.time for s in history(report) if s.action == action), None)


def last_time(report, action):
    """When ``action`` last happened (the retention counts from the last
    closing), or None."""
    times = [step.time for step in history(report) if step.action == action]
    return times[-1] if times else None


def last_comment(report):
    """The comment of the last step (the reason of a rejection)."""
    steps = history(report)
    return steps[-1].comment if steps else ""
