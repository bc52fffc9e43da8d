"""The service-level deadlines, against dates worked out by hand on the
calendar (2026: 1 January is a Thursday; Easter is 5 April)."""

from collective.civicreports.sla.deadlines import add_days
from collective.civicreports.sla.deadlines import add_working_hours
from collective.civicreports.sla.deadlines import answer_deadline
from collective.civicreports.sla.deadlines import assignment_deadline
from collective.civicreports.sla.deadlines import is_working_day
from collective.civicreports.sla.deadlines import italian_holidays
from collective.civicreports.sla.deadlines import parse_holidays
from collective.civicreports.sla.deadlines import Policy
from collective.civicreports.sla.deadlines import sla_status
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from zoneinfo import ZoneInfo

import unittest


CALENDAR = Policy()
WORKING = Policy(working_days=True)


class HolidaysTest(unittest.TestCase):
    def test_easter_monday(self):
        # Published dates of Easter, including the earliest (22 March) and
        # latest (25 April) possible since the Republic's calendar (1947):
        # the Monday after is a holiday.
        known = {
            2008: date(2008, 3, 23),
            2000: date(2000, 4, 23),
            2024: date(2024, 3, 31),
            2025: date(2025, 4, 20),
            2026: date(2026, 4, 5),
            2038: date(2038, 4, 25),
        }
        for year, sunday in known.items():
            self.assertIn(sunday + timedelta(days=1), italian_holidays(year), year)
        self.assertNotIn(date(2026, 4, 13), italian_holidays(2026))

    def test_2026(self):
        expected = {
            date(2026, 1, 1),
            date(2026, 1, 6),
            date(2026, 4, 5),
            date(2026, 4, 6),
            date(2026, 4, 25),
            date(2026, 5, 1),
            date(2026, 6, 2),
            date(2026, 8, 15),
            # Saint Francis, a national holiday again from 2026.
            date(2026, 10, 4),
            date(2026, 11, 1),
            date(2026, 12, 8),
            date(2026, 12, 25),
            date(2026, 12, 26),
        }
        self.assertEqual(italian_holidays(2026), expected)

    def test_patron_saint_of_a_province(self):
        # Saint Saturninus, in Cagliari.
        self.assertNotIn(date(2026, 10, 30), italian_holidays(2026))
        self.assertIn(date(2026, 10, 30), italian_holidays(2026, "CA"))
        cagliari = Policy(working_days=True, province="CA")
        self.assertFalse(is_working_day(date(2026, 10, 30), cagliari))
        self.assertTrue(is_working_day(date(2026, 10, 30), WORKING))

    def test_result_is_a_copy(self):
        italian_holidays(2026).clear()
        self.assertEqual(len(italian_holidays(2026)), 13)

    def test_is_working_day(self):
        self.assertTrue(is_working_day(date(2026, 1, 16), WORKING))  # Friday
        self.assertFalse(is_working_day(date(2026, 1, 17), WORKING))  # Saturday
        self.assertFalse(is_working_day(date(2026, 1, 18), WORKING))  # Sunday
        self.assertFalse(is_working_day(date(2026, 4, 6), WORKING))  # Pasquetta
        own = Policy(working_days=True, holidays=frozenset({date(2026, 1, 19)}))
        self.assertFalse(is_working_day(date(2026, 1, 19), own))
        ignore = Policy(working_days=True, national_holidays=False)
        self.assertTrue(is_working_day(date(2026, 4, 6), ignore))


class CalendarModeTest(unittest.TestCase):
    def test_48_hours(self):
        # Friday 16 January 10:00 + 48 h = Sunday 18 January 10:00.
        start = datetime(2026, 1, 16, 10, 0)
        self.assertEqual(
            add_working_hours(start, 48, CALENDAR), datetime(2026, 1, 18, 10, 0)
        )
        self.assertEqual(
            assignment_deadline(start, CALENDAR), datetime(2026, 1, 18, 10, 0)
        )

    def test_30_days(self):
        # 12 January + 30 days: 19 days to the end of January, 11 in February.
        start = datetime(2026, 1, 12, 9, 30)
        self.assertEqual(add_days(start, 30, CALENDAR), datetime(2026, 2, 11, 9, 30))
        self.assertEqual(answer_deadline(start, CALENDAR), datetime(2026, 2, 11, 9, 30))

    def test_negative(self):
        with self.assertRaises(ValueError):
            add_working_hours(datetime(2026, 1, 16), -1, CALENDAR)
        with self.assertRaises(ValueError):
            add_days(datetime(2026, 1, 16), -1, CALENDAR)


class WorkingHoursTest(unittest.TestCase):
    def test_over_a_weekend(self):
        # Fri 16 10:00 -> 24:00 = 14 h; Sat, Sun skipped; Mon 19 = 24 h (38 h);
        # Tue 20 00:00 -> 10:00 = 10 h (48 h).
        start = datetime(2026, 1, 16, 10, 0)
        self.assertEqual(
            add_working_hours(start, 48, WORKING), datetime(2026, 1, 20, 10, 0)
        )

    def test_start_on_saturday(self):
        # Sat 17 10:00 counts from Mon 19 00:00: Mon 24 h, Tue 24 h (48 h),
        # so the deadline is Tue 20 at 24:00, i.e. Wed 21 00:00.
        start = datetime(2026, 1, 17, 10, 0)
        self.assertEqual(
            add_working_hours(start, 48, WORKING), datetime(2026, 1, 21, 0, 0)
        )
        # Zero hours from a non-working day: the counting start itself.
        self.assertEqual(
            add_working_hours(start, 0, WORKING), datetime(2026, 1, 19, 0, 0)
        )

    def test_ends_at_midnight_before_weekend(self):
        # Thu 15 00:00: Thu 24 h, Fri 24 h (48 h) -> Friday 24:00 = Sat 00:00,
        # not rolled over the weekend to Monday.
        start = datetime(2026, 1, 15, 0, 0)
        self.assertEqual(
            add_working_hours(start, 48, WORKING), datetime(2026, 1, 17, 0, 0)
        )

    def test_christmas(self):
        # Thu 24 Dec 09:00 -> 24:00 = 15 h; Fri 25 (Christmas), Sat 26
        # (Santo Stefano), Sun 27 skipped; Mon 28 = 24 h (39 h);
        # Tue 29 00:00 -> 09:00 = 9 h (48 h).
        start = datetime(2026, 12, 24, 9, 0)
        self.assertEqual(
            add_working_hours(start, 48, WORKING), datetime(2026, 12, 29, 9, 0)
        )

    def test_easter_sunday_to_pasquetta(self):
        # Sun 5 Apr and Mon 6 Apr are both off: count from Tue 7 00:00,
        # Tue 24 h, Wed 24 h -> Thu 9 00:00.
        start = datetime(2026, 4, 5, 10, 0)
        self.assertEqual(
            add_working_hours(start, 48, WORKING), datetime(2026, 4, 9, 0, 0)
        )
        # Without the national holidays, Monday counts: Mon + Tue -> Wed 8.
        no_national = Policy(working_days=True, national_holidays=False)
        self.assertEqual(
            add_working_hours(start, 48, no_national), datetime(2026, 4, 8, 0, 0)
        )


class WorkingDaysTest(unittest.TestCase):
    def test_30_from_a_monday(self):
        # Mon 12 Jan: no holiday until late February, so 30 working days are
        # six whole weeks -> Mon 23 Feb, same time of day.
        start = datetime(2026, 1, 12, 9, 30)
        self.assertEqual(add_days(start, 30, WORKING), datetime(2026, 2, 23, 9, 30))
        self.assertEqual(answer_deadline(start, WORKING), datetime(2026, 2, 23, 9, 30))

    def test_own_holidays(self):
        # The municipality closes on Mon 2 Feb: one more day -> Tue 24 Feb.
        policy = Policy(working_days=True, holidays=frozenset({date(2026, 2, 2)}))
        start = datetime(2026, 1, 12, 9, 30)
        self.assertEqual(add_days(start, 30, policy), datetime(2026, 2, 24, 9, 30))

    def test_national_holidays(self):
        # From Mon 27 Apr: Apr 28-30 (3), 1 May off, May 4-29 (23), Jun 1 (24),
        # 2 Jun off, Jun 3-5 (27), Jun 8-10 (30) -> Wed 10 June.
        start = datetime(2026, 4, 27, 11, 0)
        self.assertEqual(add_days(start, 30, WORKING), datetime(2026, 6, 10, 11, 0))
        # Ignoring them, six whole weeks -> Mon 8 June.
        ignore = Policy(working_days=True, national_holidays=False)
        self.assertEqual(add_days(start, 30, ignore), datetime(2026, 6, 8, 11, 0))

    def test_start_on_saturday(self):
        # Sat 17 Jan 10:00 counts as Mon 19 10:00: one working day -> Tue 20.
        start = datetime(2026, 1, 17, 10, 0)
        self.assertEqual(add_days(start, 1, WORKING), datetime(2026, 1, 20, 10, 0))
        self.assertEqual(add_days(start, 0, WORKING), datetime(2026, 1, 19, 10, 0))


class SlaStatusTest(unittest.TestCase):
    # Calendar policy: assignment by Sun 18 Jan 10:00, answer by 15 Feb 10:00.
    submitted = datetime(2026, 1, 16, 10, 0)
    assign_by = datetime(2026, 1, 18, 10, 0)
    answer_by = datetime(2026, 2, 15, 10, 0)

    def status(self, state, now, **kw):
        return sla_status(state, self.submitted, now, CALENDAR, **kw)

    def test_submitted_in_time(self):
        result = self.status("submitted", datetime(2026, 1, 17, 10, 0))
        self.assertEqual(result["assignment"].deadline, self.assign_by)
        self.assertFalse(result["assignment"].overdue)
        self.assertEqual(result["assignment"].remaining, timedelta(hours=24))
        self.assertEqual(result["answer"].deadline, self.answer_by)
        self.assertFalse(result["answer"].overdue)

    def test_exactly_at_deadline_is_not_overdue(self):
        result = self.status("approved", self.assign_by)
        self.assertFalse(result["assignment"].overdue)
        self.assertEqual(result["assignment"].remaining, timedelta(0))

    def test_submitted_past_48_hours(self):
        for state in ("submitted", "approved"):
            result = self.status(state, datetime(2026, 1, 18, 10, 1))
            self.assertTrue(result["assignment"].overdue, state)
            self.assertEqual(result["assignment"].remaining, timedelta(minutes=-1))
            self.assertFalse(result["answer"].overdue)

    def test_assigned_in_time(self):
        result = self.status(
            "assigned", datetime(2026, 1, 25), assigned=datetime(2026, 1, 17, 9, 0)
        )
        self.assertFalse(result["assignment"].overdue)
        self.assertEqual(result["assignment"].remaining, timedelta(hours=25))

    def test_assigned_at_the_deadline(self):
        result = self.status("assigned", datetime(2026, 1, 25), assigned=self.assign_by)
        self.assertFalse(result["assignment"].overdue)
        self.assertEqual(result["assignment"].remaining, timedelta(0))

    def test_assigned_late(self):
        # Assigned on Monday 19 at 10:00, a day late: still recorded so.
        result = self.status(
            "assigned", datetime(2026, 1, 25), assigned=datetime(2026, 1, 19, 10, 0)
        )
        self.assertTrue(result["assignment"].overdue)
        self.assertEqual(result["assignment"].remaining, timedelta(hours=-24))

    def test_assigned_without_time_is_not_blamed(self):
        result = self.status("assigned", datetime(2026, 1, 25))
        self.assertFalse(result["assignment"].overdue)
        self.assertIsNone(result["assignment"].remaining)

    def test_closed_in_time(self):
        result = self.status(
            "closed",
            datetime(2026, 3, 1),
            assigned=datetime(2026, 1, 16, 12, 0),
            closed=datetime(2026, 2, 10, 10, 0),
        )
        self.assertFalse(result["answer"].overdue)
        self.assertEqual(result["answer"].remaining, timedelta(days=5))

    def test_closed_late(self):
        result = self.status(
            "closed",
            datetime(2026, 3, 1),
            assigned=datetime(2026, 1, 16, 12, 0),
            closed=datetime(2026, 2, 16, 10, 0),
        )
        self.assertTrue(result["answer"].overdue)
        self.assertEqual(result["answer"].remaining, timedelta(days=-1))

    def test_closed_without_time_is_not_blamed(self):
        result = self.status("closed", datetime(2026, 3, 1))
        self.assertFalse(result["answer"].overdue)
        self.assertIsNone(result["answer"].remaining)

    def test_open_past_deadline(self):
        result = self.status(
            "assigned",
            datetime(2026, 2, 20, 10, 0),
            assigned=datetime(2026, 1, 16, 12, 0),
        )
        self.assertFalse(result["assignment"].overdue)
        self.assertTrue(result["answer"].overdue)
        self.assertEqual(result["answer"].remaining, timedelta(days=-5))

    def test_rejected_never_overdue(self):
        result = self.status("rejected", datetime(2027, 1, 1))
        self.assertEqual(result["assignment"].deadline, self.assign_by)
        self.assertEqual(result["answer"].deadline, self.answer_by)
        self.assertFalse(result["assignment"].overdue)
        self.assertFalse(result["answer"].overdue)
        # Even when rejected late, after a late assignment.
        result = self.status(
            "rejected",
            datetime(2027, 1, 1),
            assigned=datetime(2026, 1, 20),
            closed=datetime(2026, 3, 1),
        )
        self.assertFalse(result["assignment"].overdue)
        self.assertFalse(result["answer"].overdue)

    def test_working_days_policy(self):
        # Same Friday submission, working days: assignment by Tue 20 10:00,
        # so Monday evening is still in time.
        result = sla_status(
            "submitted", self.submitted, datetime(2026, 1, 19, 20, 0), WORKING
        )
        self.assertEqual(result["assignment"].deadline, datetime(2026, 1, 20, 10, 0))
        self.assertFalse(result["assignment"].overdue)


class ParseHolidaysTest(unittest.TestCase):
    def test_good(self):
        text = "# Patron saint\n2026-06-24\n\n  2026-12-31  \n# end\n2026-06-24\n"
        self.assertEqual(
            parse_holidays(text), frozenset({date(2026, 6, 24), date(2026, 12, 31)})
        )
        self.assertEqual(parse_holidays(""), frozenset())

    def test_bad(self):
        for bad in ("24/06/2026", "2026-13-01", "20260624", "2026-06-24 x"):
            with self.assertRaises(ValueError) as caught:
                parse_holidays(f"# ok\n2026-06-24\n{bad}\n")
            self.assertIn("line 3", str(caught.exception))
            self.assertIn(bad, str(caught.exception))


class TimezoneTest(unittest.TestCase):
    def test_fixed_offset_kept(self):
        tz = timezone(timedelta(hours=1))
        result = add_working_hours(datetime(2026, 12, 24, 9, 0, tzinfo=tz), 48, WORKING)
        self.assertEqual(result, datetime(2026, 12, 29, 9, 0, tzinfo=tz))
        self.assertIs(result.tzinfo, tz)
        result = add_days(datetime(2026, 1, 12, 9, 0, tzinfo=tz), 30, WORKING)
        self.assertIs(result.tzinfo, tz)

    def test_wall_clock_across_dst(self):
        # Summer time starts on Sun 29 March 2026: 48 h on the wall clock from
        # Fri 27 10:00 CET end on Sun 29 10:00 CEST (47 real hours).
        rome = ZoneInfo("Europe/Rome")
        start = datetime(2026, 3, 27, 10, 0, tzinfo=rome)
        result = add_working_hours(start, 48, CALENDAR)
        self.assertIs(result.tzinfo, rome)
        self.assertEqual(result.replace(tzinfo=None), datetime(2026, 3, 29, 10, 0))
        self.assertEqual(result.utcoffset(), timedelta(hours=2))
        # Working days: Fri 14 h, Mon 24 h, Tue 10 h -> Tue 31 10:00.
        result = add_working_hours(start, 48, WORKING)
        self.assertIs(result.tzinfo, rome)
        self.assertEqual(result.replace(tzinfo=None), datetime(2026, 3, 31, 10, 0))
