"""When a person at the practice sees a message: fixed clocks inside, outside and at the edges."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from confidant.office_hours import OfficeWeek, clock_time, next_reader

NEW_YORK = ZoneInfo("America/New_York")
NINE_TO_FIVE = (time(9), time(17))
# Monday to Friday 9 to 5, New York; Thanksgiving 2025 (Thursday 27 November) closed.
WEEK = OfficeWeek(NEW_YORK, {day: NINE_TO_FIVE for day in range(5)}, frozenset({date(2025, 11, 27)}))


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A moment in New York, November 2025 (Monday 17, Friday 21, Monday 24, Wednesday 26)."""
    return datetime(2025, month, day, hour, minute, tzinfo=NEW_YORK)


def test_inside_office_hours_someone_sees_it_today() -> None:
    reader = next_reader(WEEK, at(19, 11, 30))
    assert reader.open_now and reader.day_kind == "today"


def test_friday_night_is_read_on_monday_from_nine() -> None:
    reader = next_reader(WEEK, at(21, 22, 15))
    assert not reader.open_now
    assert reader.reads_at == at(24, 9)
    assert (reader.day_kind, reader.weekday, reader.time) == ("weekday", "Monday", "9 a.m.")


def test_sunday_is_read_tomorrow() -> None:
    reader = next_reader(WEEK, at(23, 14))
    assert (reader.open_now, reader.day_kind, reader.weekday, reader.time) == (False, "tomorrow", "Monday", "9 a.m.")


def test_a_holiday_is_skipped() -> None:
    # Wednesday evening before Thanksgiving: not "tomorrow" (closed) but Friday.
    reader = next_reader(WEEK, at(26, 18))
    assert reader.reads_at == at(28, 9) and reader.day_kind == "weekday" and reader.weekday == "Friday"
    # On the holiday itself, at what would be office time.
    assert next_reader(WEEK, at(27, 10)).reads_at == at(28, 9)


def test_early_morning_is_read_later_today() -> None:
    reader = next_reader(WEEK, at(18, 6, 45))
    assert (reader.open_now, reader.day_kind, reader.time) == (False, "today", "9 a.m.")


@pytest.mark.parametrize(
    ("moment", "open_now"),
    [
        (at(18, 8, 59), False),
        (at(18, 9, 0), True),
        (at(18, 16, 59), True),
        (at(18, 17, 0), False),
    ],
)
def test_the_edges_opening_counts_closing_does_not(moment: datetime, open_now: bool) -> None:
    assert WEEK.is_open(moment) is open_now
    assert next_reader(WEEK, moment).open_now is open_now


def test_the_day_is_named_in_the_practices_time_zone() -> None:
    # 01:30 UTC on Saturday is still Friday 8:30 p.m. in New York: closed, read on Monday.
    reader = next_reader(WEEK, datetime(2025, 11, 22, 1, 30, tzinfo=timezone.utc))
    assert reader.weekday == "Monday" and reader.day_kind == "weekday"
    # 14:00 UTC on a Monday is 9 a.m. in New York: open.
    assert next_reader(WEEK, datetime(2025, 11, 24, 14, 0, tzinfo=timezone.utc)).open_now


def test_a_long_closure_names_the_date() -> None:
    closed = frozenset(date(2025, 12, day) for day in range(22, 32))
    week = OfficeWeek(NEW_YORK, {day: NINE_TO_FIVE for day in range(5)}, closed)
    reader = next_reader(week, datetime(2025, 12, 19, 18, tzinfo=NEW_YORK))
    assert (reader.day_kind, reader.weekday, reader.date) == ("date", "Thursday", "January 1")


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_reader(WEEK, datetime(2025, 11, 21, 22))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (time(9), "9 a.m."),
        (time(9, 30), "9:30 a.m."),
        (time(12), "noon"),
        (time(12, 15), "12:15 p.m."),
        (time(17), "5 p.m."),
    ],
)
def test_clock_times_read_the_us_way(moment: time, expected: str) -> None:
    assert clock_time(moment) == expected


# ---- the acknowledgement deadline counts office time only -------------------------------

HALF_HOUR = timedelta(minutes=30)


def test_an_escalation_in_office_hours_is_due_thirty_minutes_later() -> None:
    assert WEEK.office_time_deadline(at(19, 11), HALF_HOUR) == at(19, 11, 30)


def test_an_escalation_on_friday_night_is_due_monday_at_half_past_nine() -> None:
    assert WEEK.office_time_deadline(at(21, 22), HALF_HOUR) == at(24, 9, 30)


def test_an_escalation_just_before_closing_carries_over_to_the_next_open_day() -> None:
    # Ten minutes on Wednesday, twenty from Friday 9 a.m. (Thursday is Thanksgiving).
    assert WEEK.office_time_deadline(at(26, 16, 50), HALF_HOUR) == at(28, 9, 20)


def test_an_escalation_at_closing_time_counts_from_the_next_opening() -> None:
    assert WEEK.office_time_deadline(at(18, 17), HALF_HOUR) == at(19, 9, 30)


def test_the_deadline_follows_daylight_saving() -> None:
    # Clocks go back on Sunday 2 November 2025; Monday 9 a.m. is 14:00 UTC, not 13:00.
    deadline = WEEK.office_time_deadline(datetime(2025, 10, 31, 23, tzinfo=timezone.utc), HALF_HOUR)
    assert deadline.astimezone(timezone.utc) == datetime(2025, 11, 3, 14, 30, tzinfo=timezone.utc)


def test_hours_text_groups_days_with_the_same_hours() -> None:
    week = OfficeWeek(
        NEW_YORK,
        {
            0: NINE_TO_FIVE,
            1: NINE_TO_FIVE,
            3: (time(8, 30), time(12)),
            5: (time(10), time(14)),
            6: (time(10), time(14)),
        },
    )
    assert week.hours_text() == (
        "Monday and Tuesday, 9 a.m. to 5 p.m.; Thursday, 8:30 a.m. to noon; Saturday and Sunday, 10 a.m. to 2 p.m."
    )
