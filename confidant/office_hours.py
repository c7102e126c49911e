"""When will a person at the practice actually see a message sent now?

Pure functions of the practice's week (opening times in its own time zone, and holidays) and
a moment; no clock is read here, so the answers are testable at any hour. The assistant tells
a client who writes on Friday night that the practice opens on Monday instead of implying
that someone is reading, and the second contact of an escalation counts only office time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Dict, FrozenSet, List, Literal, Optional, Tuple
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# English names for the derived hours text and the day a message will be read; the sentences
# around them are in domain.yml (utter_phrase_*).
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# A practice closed longer than this (a year of holidays) is a settings mistake.
SEARCH_DAYS = 800

DayKind = Literal["today", "tomorrow", "weekday", "date"]


@dataclass(frozen=True)
class OfficeWeek:
    """Opening hours per weekday (0 = Monday) in the practice's time zone, and closed dates."""

    timezone: ZoneInfo
    hours: Dict[int, Tuple[time, time]]
    holidays: FrozenSet[date] = frozenset()

    def opening_on(self, day: date) -> Optional[Tuple[datetime, datetime]]:
        """The day's opening and closing moments, or None on a closed day or a holiday."""
        if day in self.holidays or day.weekday() not in self.hours:
            return None
        opens, closes = self.hours[day.weekday()]
        return (
            datetime.combine(day, opens, tzinfo=self.timezone),
            datetime.combine(day, closes, tzinfo=self.timezone),
        )

    def window_from(self, moment: datetime) -> Tuple[datetime, datetime]:
        """The open stretch that contains `moment` (from `moment`) or else the next one."""
        local = _local(moment, self.timezone)
        for offset in range(SEARCH_DAYS):
            opening = self.opening_on(local.date() + timedelta(days=offset))
            if opening and opening[1] > local:
                return max(opening[0], local), opening[1]
        raise ValueError(f"the practice does not open within {SEARCH_DAYS} days of {local.isoformat()}")

    def is_open(self, moment: datetime) -> bool:
        """Open at `moment`: from the opening minute up to, not including, the closing one."""
        return self.window_from(moment)[0] == _local(moment, self.timezone)

    def next_opening(self, moment: datetime) -> datetime:
        """When someone is next at the practice: `moment` itself while it is open."""
        return self.window_from(moment)[0]

    def office_time_deadline(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of office time has passed since `start`.

        Closed hours do not count: an escalation at 4:50 p.m. with 30 minutes to be
        acknowledged has 10 minutes that day and 20 from the next opening.
        """
        remaining = duration
        cursor = _local(start, self.timezone)
        while True:
            begins, ends = self.window_from(cursor)
            if remaining <= ends - begins:
                return begins + remaining
            remaining -= ends - begins
            cursor = ends

    def hours_text(self) -> str:
        """The week as clients read it, e.g. "Monday to Friday, 9 a.m. to 5 p.m."."""
        groups: List[Tuple[List[int], Tuple[time, time]]] = []
        for weekday in range(7):
            if weekday not in self.hours:
                continue
            if groups and groups[-1][0][-1] == weekday - 1 and groups[-1][1] == self.hours[weekday]:
                groups[-1][0].append(weekday)
            else:
                groups.append(([weekday], self.hours[weekday]))
        parts = []
        for days, (opens, closes) in groups:
            names = WEEKDAY_NAMES[days[0]]
            if len(days) == 2:
                names += f" and {WEEKDAY_NAMES[days[-1]]}"
            elif len(days) > 2:
                names += f" to {WEEKDAY_NAMES[days[-1]]}"
            parts.append(f"{names}, {clock_time(opens)} to {clock_time(closes)}")
        return "; ".join(parts)


@dataclass(frozen=True)
class NextReader:
    """Who sees a message sent at `sent_at`, and when, in the practice's time zone."""

    open_now: bool
    reads_at: datetime
    day_kind: DayKind
    weekday: str
    date: str
    time: str


def next_reader(week: OfficeWeek, sent_at: datetime) -> NextReader:
    """When a person at the practice will see a message sent at `sent_at`."""
    local = _local(sent_at, week.timezone)
    reads_at = week.next_opening(local)
    days_ahead = (reads_at.date() - local.date()).days
    kind: DayKind
    if days_ahead == 0:
        kind = "today"
    elif days_ahead == 1:
        kind = "tomorrow"
    elif days_ahead < 7:
        kind = "weekday"
    else:
        kind = "date"
    return NextReader(
        open_now=reads_at == local,
        reads_at=reads_at,
        day_kind=kind,
        weekday=WEEKDAY_NAMES[reads_at.weekday()],
        date=f"{MONTH_NAMES[reads_at.month - 1]} {reads_at.day}",
        time=clock_time(reads_at.time()),
    )


def clock_time(moment: time) -> str:
    """9 a.m., 9:30 a.m., noon, 5 p.m.: the way US clients read times."""
    if moment.hour == 12 and moment.minute == 0:
        return "noon"
    if moment.hour == 0 and moment.minute == 0:
        return "midnight"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'a.m.' if moment.hour < 12 else 'p.m.'}"


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("office hours need an aware datetime (with its time zone)")
    return moment.astimezone(zone)
