"""Service-level deadlines on citizens' reports (ISO 9001 commitments).

The municipality promises to assign a report to the competent office within
``assignment_hours`` of its submission and to answer it (close it) within
``answer_days``. Deadlines run on the calendar or, with ``working_days``, on
working days only: Monday to Friday, neither an Italian public holiday (the
``holidays`` package's calendar of Italy, optionally with the patron
saint's day of a province) nor one of the municipality's own closures.
Pure Python, no Plone: callers feed it plain datetimes.

Datetimes may be naive or aware. Results keep the tzinfo of the input and
the arithmetic is done on its wall clock: 48 hours from 10:00 end at 10:00,
even across a change to or from daylight saving time, as an office would
read its own promise. Do not mix naive and aware datetimes in one call.
"""

from collective.civicreports.inputs.params import day
from collective.civicreports.reports.workflow import ENDED_STATES
from collective.civicreports.reports.workflow import MODERATION_STATES
from collective.civicreports.reports.workflow import REJECTED
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from functools import lru_cache

import holidays as holiday_calendar


@dataclass(frozen=True)
class Policy:
    assignment_hours: int = 48  # from submission to assignment
    answer_days: int = 30  # from submission to the answer (closing)
    working_days: bool = False  # count only working days
    holidays: frozenset[date] = frozenset()  # the municipality's own holidays
    national_holidays: bool = True  # also skip Italian public holidays
    # A province (its code, as "CA"): its patron saint's day is a holiday too.
    province: str | None = None


@dataclass(frozen=True)
class Status:
    deadline: datetime | None
    overdue: bool
    remaining: timedelta | None  # negative when overdue


@lru_cache(maxsize=256)
def _public(year: int, province: str | None = None) -> frozenset[date]:
    # The package knows the holidays that come and go (4 October is one
    # again from 2026) and each province's patron saint.
    return frozenset(holiday_calendar.Italy(years=year, subdiv=province))


def italian_holidays(year: int, province: str | None = None) -> set[date]:
    """Italian public holidays of ``year`` (a fresh, mutable set), with the
    patron saint's day of ``province``."""
    return set(_public(year, province))


def is_working_day(day: date, policy: Policy) -> bool:
    """Monday to Friday and no holiday. Ignores ``policy.working_days``:
    it answers the question, the callers decide whether to ask it."""
    if day.weekday() >= 5 or day in policy.holidays:
        return False
    return not (policy.national_holidays and day in _public(day.year, policy.province))


def _next_working_day(day: date, policy: Policy) -> date:
    day += timedelta(days=1)
    while not is_working_day(day, policy):
        day += timedelta(days=1)
    return day


def _midnight(day: date, like: datetime) -> datetime:
    return datetime.combine(day, time(), tzinfo=like.tzinfo)


def add_working_hours(start: datetime, hours: int, policy: Policy) -> datetime:
    """``start`` + ``hours``; with ``policy.working_days`` only time spent on
    working days counts.

    A start on a non-working day starts counting at 00:00 of the next working
    day: a report sent on Saturday waits for the office like one sent at the
    first minute of Monday. When the hours run out exactly at the end of a
    working day the result is 00:00 of the following calendar day ("Friday
    24:00" is Saturday 00:00), the first instant the promise is broken after.
    """
    if hours < 0:
        raise ValueError(f"hours must not be negative, got {hours}")
    if not policy.working_days:
        return start + timedelta(hours=hours)
    left = timedelta(hours=hours)
    cursor = start
    if not is_working_day(cursor.date(), policy):
        cursor = _midnight(_next_working_day(cursor.date(), policy), start)
    while True:
        day_end = _midnight(cursor.date() + timedelta(days=1), start)
        if left <= day_end - cursor:
            return cursor + left
        left -= day_end - cursor
        cursor = _midnight(_next_working_day(cursor.date(), policy), start)


def add_days(start: datetime, days: int, policy: Policy) -> datetime:
    """``start`` + ``days`` calendar days; with ``policy.working_days``,
    ``days`` working days after the start day, at the start's time of day.

    A start on a non-working day counts as if made at the same time on the
    next working day: one working day from Saturday 10:00 is Tuesday 10:00,
    as from Monday 10:00, so the office always gets whole working days.
    """
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    if not policy.working_days:
        return start + timedelta(days=days)
    day = start.date()
    if not is_working_day(day, policy):
        day = _next_working_day(day, policy)
    for _ in range(days):
        day = _next_working_day(day, policy)
    return datetime.combine(day, start.timetz())


def assignment_deadline(submitted: datetime, policy: Policy) -> datetime:
    return add_working_hours(submitted, policy.assignment_hours, policy)


def answer_deadline(submitted: datetime, policy: Policy) -> datetime:
    return add_days(submitted, policy.answer_days, policy)


def _status(deadline, done, running, now):
    """``done``: when the step was taken, or None; ``running``: whether the
    clock still runs for a step not taken. A step taken reports its margin
    (negative when late); a stopped clock reports no remaining time."""
    if done is not None:
        return Status(deadline, done > deadline, deadline - done)
    if running:
        return Status(deadline, now > deadline, deadline - now)
    return Status(deadline, False, None)


def sla_status(
    state: str,
    submitted: datetime,
    now: datetime,
    policy: Policy,
    assigned: datetime | None = None,
    closed: datetime | None = None,
) -> dict[str, Status]:
    """The "assignment" and "answer" commitments of one report.

    A step taken after its deadline stays overdue (it was late, and the
    quality records must say so). Waiting for assignment only runs in
    "submitted" and "approved": a report assigned or closed without a
    recorded time is not blamed. A rejected report owes nothing: neither
    commitment is overdue, the deadlines are still reported.
    """
    assign_by = assignment_deadline(submitted, policy)
    answer_by = answer_deadline(submitted, policy)
    if state == REJECTED:
        assigned = closed = None  # whatever happened before, nothing is owed
    waiting = state in MODERATION_STATES
    answering = state not in ENDED_STATES
    return {
        "assignment": _status(assign_by, assigned, waiting, now),
        "answer": _status(answer_by, closed, answering, now),
    }


def parse_holidays(text: str) -> frozenset[date]:
    """One YYYY-MM-DD date a line, as typed in the control panel; blank lines
    and lines starting with # are ignored. ValueError names the bad line."""
    days = set()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            days.add(day(line))
        except ValueError:
            raise ValueError(
                f"line {number}: {line!r} is not a date in the form YYYY-MM-DD"
            ) from None
    return frozenset(days)
