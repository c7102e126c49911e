"""`practice:` in practice.yml: the practice's details and office hours.

The hours clients read are written from `office_hours`, never by hand, so what the assistant
says about when someone will read a message always agrees with the hours it states.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, root_validator, validator

from confidant.office_hours import WEEKDAYS, OfficeWeek
from confidant.settings.base import Strict

HOURS_TEXT_LIMIT = 80


class DayHours(Strict):
    """One day's opening, in the practice's time zone, 24-hour "HH:MM" in quotes."""

    open: time
    close: time

    @validator("open", "close", pre=True)
    @classmethod
    def _quoted_clock_time(cls, value: Any) -> Any:
        # Unquoted, YAML reads 17:00 as the number 1020 (base 60), which would become 00:17.
        if not isinstance(value, str):
            raise ValueError('write the time in quotes, 24-hour, like "09:00" or "17:30"')
        return value

    @root_validator(skip_on_failure=True)
    @classmethod
    def _closes_after_opening(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if values["close"] <= values["open"]:
            raise ValueError("close must be later than open on the same day")
        return values


class WeeklyHours(Strict):
    """Opening per weekday; a day left out (or null) is closed."""

    monday: Optional[DayHours] = None
    tuesday: Optional[DayHours] = None
    wednesday: Optional[DayHours] = None
    thursday: Optional[DayHours] = None
    friday: Optional[DayHours] = None
    saturday: Optional[DayHours] = None
    sunday: Optional[DayHours] = None

    @root_validator(skip_on_failure=True)
    @classmethod
    def _open_some_day(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if not any(values.get(day) for day in WEEKDAYS):
            raise ValueError("the practice must be open at least one day a week")
        return values


class PracticeDetails(Strict):
    name: str = Field(..., min_length=1, max_length=60)
    phone: str = Field(..., min_length=3, max_length=30)
    email: str = Field(..., regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    website: str = Field(..., regex=r"^https?://\S+$")
    country: str = Field(..., regex=r"^[A-Z]{2}$")
    # IANA name, e.g. America/New_York: office hours and holidays are in this zone.
    timezone: str
    office_hours: WeeklyHours
    holidays: List[date] = Field(default_factory=list)

    @root_validator(pre=True)
    @classmethod
    def _hours_come_from_office_hours(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if isinstance(values, dict) and "hours" in values:
            raise ValueError(
                "hours is no longer written by hand: it is derived from practice.office_hours (remove practice.hours)"
            )
        return values

    @validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}: use an IANA name like America/New_York") from None
        return value

    @root_validator(skip_on_failure=True)
    @classmethod
    def _hours_text_fits(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        text = _week(values["timezone"], values["office_hours"], values["holidays"]).hours_text()
        if len(text) > HOURS_TEXT_LIMIT:
            raise ValueError(
                f"office_hours read as {text!r}, longer than {HOURS_TEXT_LIMIT} characters: "
                "use fewer different opening times"
            )
        return values

    @property
    def week(self) -> OfficeWeek:
        """The office week for computing when someone will read a message."""
        return _week(self.timezone, self.office_hours, self.holidays)

    @property
    def hours(self) -> str:
        """Office hours as clients read them, derived from `office_hours`."""
        return self.week.hours_text()


def _week(timezone: str, office_hours: WeeklyHours, holidays: List[date]) -> OfficeWeek:
    hours = {}
    for index, day in enumerate(WEEKDAYS):
        opening = getattr(office_hours, day)
        if opening is not None:
            hours[index] = (opening.open, opening.close)
    return OfficeWeek(ZoneInfo(timezone), hours, frozenset(holidays))
