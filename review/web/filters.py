"""The conversation list's filters and search, parsed from a query string.

Search is a plain casefolded substring match in Python over the client's own messages, so a
search string is only ever data: quotes, `%`, `_` and backslashes mean themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Dict, List, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo

from confidant.vocabulary import CATEGORIES
from review.storage.audit import fingerprint
from review.storage.conversations import ConversationSummary

MAX_SEARCH_CHARS = 200
RISK_CATEGORIES = CATEGORIES
# A filter value that is a word of the app's vocabulary (a date, channel, topic, category), not free text.
VOCABULARY_VALUE = re.compile(r"^[a-z0-9_/.:-]{1,64}$")


def _date(raw: Optional[str]) -> Optional[date]:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _choice(raw: Optional[str], limit: int = 255) -> Optional[str]:
    value = (raw or "").strip()
    return value[:limit] if value else None


@dataclass(frozen=True)
class ConversationFilter:
    date_from: Optional[date] = None
    date_to: Optional[date] = None
    channel: Optional[str] = None
    escalated: Optional[bool] = None
    risk: Optional[str] = None
    topic: Optional[str] = None
    text: Optional[str] = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "ConversationFilter":
        """Read the filters from request arguments; a value that makes no sense is ignored."""
        escalated = {"yes": True, "no": False}.get((args.get("escalated") or "").strip())
        text = (args.get("q") or "").strip()[:MAX_SEARCH_CHARS]
        return cls(
            date_from=_date(args.get("from")),
            date_to=_date(args.get("to")),
            channel=_choice(args.get("channel")),
            escalated=escalated,
            risk=_choice(args.get("risk")),
            topic=_choice(args.get("topic")),
            text=text or None,
        )

    def as_args(self) -> Dict[str, str]:
        """The filters as query arguments, for pagination and export links."""
        args = {
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "channel": self.channel or "",
            "escalated": {True: "yes", False: "no"}.get(self.escalated, ""),  # type: ignore[arg-type]
            "risk": self.risk or "",
            "topic": self.topic or "",
            "q": self.text or "",
        }
        return {key: value for key, value in args.items() if value}

    def describe(self) -> str:
        """The filters in a line for the audit log: what was typed (a search) only as a keyed fingerprint."""
        shown = {
            key: value if key != "q" and VOCABULARY_VALUE.match(value) else fingerprint(value)
            for key, value in self.as_args().items()
        }
        return ", ".join(f"{key}={value!r}" for key, value in sorted(shown.items())) or "no filters"

    def window(self, zone: ZoneInfo) -> Tuple[Optional[datetime], Optional[datetime]]:
        start = datetime.combine(self.date_from, time.min, zone) if self.date_from else None
        end = datetime.combine(self.date_to + timedelta(days=1), time.min, zone) if self.date_to else None
        return start, end

    def matches(
        self, summary: ConversationSummary, escalation_categories: Mapping[str, List[str]], zone: ZoneInfo
    ) -> bool:
        """Does this conversation pass every filter? `escalation_categories`: the outbox's, by conversation."""
        start, end = self.window(zone)
        if start is not None and summary.last_at < start:
            return False
        if end is not None and summary.started_at >= end:
            return False
        if self.channel is not None and self.channel not in summary.channels:
            return False
        outbox_categories = escalation_categories.get(summary.conversation_id)
        if self.escalated is not None:
            escalated = summary.escalated_in_tracker or outbox_categories is not None
            if escalated != self.escalated:
                return False
        if self.risk is not None and self.risk not in summary.risk_categories | set(outbox_categories or ()):
            return False
        if self.topic is not None and self.topic not in summary.topics:
            return False
        if self.text is not None:
            needle = self.text.casefold()
            if not any(needle in text for text in summary.search_texts):
                return False
        return True
