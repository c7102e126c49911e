"""Counts for the insights page: which topics clients ask about, and escalations, per week.

Weeks start on Monday in the practice's time zone. Only counts leave this module: no text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Dict, Iterable, List, Tuple
from zoneinfo import ZoneInfo

from confidant.notify.records import Escalation
from review.storage.conversations import ConversationSummary

OTHER = "other"


@dataclass(frozen=True)
class Weekly:
    weeks: List[date]
    series: Dict[str, List[int]]

    @property
    def total(self) -> int:
        return sum(sum(counts) for counts in self.series.values())


def week_of(moment: datetime, zone: ZoneInfo) -> date:
    local = moment.astimezone(zone).date()
    return local - timedelta(days=local.weekday())


def recent_weeks(now: datetime, zone: ZoneInfo, count: int) -> List[date]:
    """The last `count` weeks, oldest first, ending with the current one."""
    current = week_of(now, zone)
    return [current - timedelta(weeks=offset) for offset in range(count - 1, -1, -1)]


def topic_totals(summaries: Iterable[ConversationSummary], weeks: List[date], zone: ZoneInfo) -> List[Tuple[str, int]]:
    """Client messages per topic over the weeks shown, most asked first."""
    shown = set(weeks)
    totals: Counter = Counter()
    for summary in summaries:
        for moment, topic in summary.topic_times:
            if week_of(moment, zone) in shown:
                totals[topic] += 1
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def topics_per_week(
    summaries: Iterable[ConversationSummary], weeks: List[date], zone: ZoneInfo, top: int = 6
) -> Weekly:
    """Client messages per week for the `top` topics, the rest together as "other"."""
    summaries = list(summaries)
    leaders = [topic for topic, _ in topic_totals(summaries, weeks, zone)[:top]]
    index = {week: position for position, week in enumerate(weeks)}
    series: Dict[str, List[int]] = {topic: [0] * len(weeks) for topic in leaders}
    for summary in summaries:
        for moment, topic in summary.topic_times:
            position = index.get(week_of(moment, zone))
            if position is None:
                continue
            key = topic if topic in series else OTHER
            series.setdefault(key, [0] * len(weeks))[position] += 1
    return Weekly(weeks, series)


def escalations_per_week(escalations: Iterable[Escalation], weeks: List[date], zone: ZoneInfo) -> Weekly:
    """Escalations opened per week, by risk category."""
    index = {week: position for position, week in enumerate(weeks)}
    series: Dict[str, List[int]] = {}
    for escalation in escalations:
        position = index.get(week_of(datetime.fromisoformat(escalation.created_at), zone))
        if position is not None:
            series.setdefault(escalation.category, [0] * len(weeks))[position] += 1
    return Weekly(weeks, dict(sorted(series.items())))
