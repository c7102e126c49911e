"""Conversations as the review pages see them, read from Rasa's tracker store.

Filters and search need what is inside each event's JSON (channel, FAQ key, risk category),
which SQL cannot look into portably across SQLite and PostgreSQL. So each conversation is
summarised once, in memory, and summarised again only when its last event id or event count
changes; nothing is copied to disk. A conversation deleted by anyone (the app, the retention
command) drops out at the next refresh, because the refresh starts from the table itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Dict, FrozenSet, Iterable, List, Sequence, Tuple

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine

from confidant.store.events_table import EVENTS
from confidant.vocabulary import ESCALATED_SLOT, RISK_CATEGORY_SLOT
from review.labels import is_conversation_topic, unanswered_kind
from review.masking import mask_text
from review.storage.tracker_events import Message, event_time, parse_event

CHUNK = 500


@dataclass(frozen=True)
class ConversationSummary:
    conversation_id: str
    started_at: datetime
    last_at: datetime
    event_count: int
    channels: FrozenSet[str]
    client_messages: int
    topics: FrozenSet[str]
    risk_categories: FrozenSet[str]
    escalated_in_tracker: bool
    first_client_text: str
    # Casefolded client messages with contact details masked, for search (a search must not find
    # a number nobody has revealed); (time, topic) of each client message, for insights.
    search_texts: Tuple[str, ...]
    topic_times: Tuple[Tuple[datetime, str], ...]
    # (time, topic, masked text) of messages the assistant could not answer (review.web.unanswered).
    unanswered: Tuple[Tuple[datetime, str, str], ...] = ()


def summarise(
    conversation_id: str,
    event_count: int,
    first: datetime,
    last: datetime,
    messages: Iterable[Message],
    keep: Sequence[str] = (),
) -> ConversationSummary:
    """What the list, the filters and the insights need to know about one conversation.

    Button presses and the chat's opening payload (`/greet`) are not what the client wrote: the
    first message shown is the first one typed, and only typed messages are searched. `keep`:
    contact details never masked (the practice's own).
    """
    channels, topics, categories = set(), set(), set()
    escalated = False
    texts: List[str] = []
    topic_times: List[Tuple[datetime, str]] = []
    unanswered: List[Tuple[datetime, str, str]] = []
    first_text = ""
    for message in messages:
        if message.kind == "client":
            if message.channel:
                channels.add(message.channel)
            if message.risk_category:
                categories.add(message.risk_category)
            if message.is_payload:
                continue
            if is_conversation_topic(message.topic):
                topics.add(message.topic)
                topic_times.append((message.at, message.topic))
                if unanswered_kind(message.topic):
                    unanswered.append((message.at, str(message.topic), mask_text(message.text, keep)))
            if not first_text and message.text:
                first_text = message.text
            texts.append(mask_text(message.text, keep).casefold())
        elif message.kind == "slot":
            if message.slot == ESCALATED_SLOT and message.slot_value is True:
                escalated = True
            elif message.slot == RISK_CATEGORY_SLOT and message.slot_value:
                categories.add(str(message.slot_value))
    return ConversationSummary(
        conversation_id=conversation_id,
        started_at=first,
        last_at=last,
        event_count=event_count,
        channels=frozenset(channels),
        client_messages=len(texts),
        topics=frozenset(topics),
        risk_categories=frozenset(categories),
        escalated_in_tracker=escalated,
        first_client_text=first_text,
        search_texts=tuple(texts),
        topic_times=tuple(topic_times),
        unanswered=tuple(unanswered),
    )


class ConversationIndex:
    """Summaries of every conversation in the tracker store, kept fresh on each call."""

    def __init__(self, engine: Engine, keep: Sequence[str] = ()) -> None:
        self.engine = engine
        self.keep = tuple(keep)
        self._lock = threading.Lock()
        self._cache: Dict[str, Tuple[Tuple[int, int], ConversationSummary]] = {}

    def _has_events_table(self) -> bool:
        return inspect(self.engine).has_table(EVENTS.name)

    def summaries(self) -> List[ConversationSummary]:
        """Every conversation, most recent activity first."""
        if not self._has_events_table():
            return []
        overview = select(
            EVENTS.c.sender_id,
            func.max(EVENTS.c.id),
            func.count(EVENTS.c.id),
            func.min(EVENTS.c.timestamp),
            func.max(EVENTS.c.timestamp),
        ).group_by(EVENTS.c.sender_id)
        with self._lock:
            with self.engine.connect() as connection:
                rows = connection.execute(overview).all()
                current = {row[0]: row for row in rows}
                stale = [
                    sender
                    for sender, row in current.items()
                    if sender not in self._cache or self._cache[sender][0] != (row[1], row[2])
                ]
                for start in range(0, len(stale), CHUNK):
                    chunk = stale[start : start + CHUNK]
                    grouped = self._messages_of(connection, chunk)
                    for sender in chunk:
                        _, max_id, count, first, last = current[sender]
                        summary = summarise(
                            sender, count, event_time(first), event_time(last), grouped.get(sender, []), self.keep
                        )
                        self._cache[sender] = ((max_id, count), summary)
            for sender in set(self._cache) - set(current):
                del self._cache[sender]
            result = [entry[1] for entry in self._cache.values()]
        return sorted(result, key=lambda summary: (summary.last_at, summary.conversation_id), reverse=True)

    def messages(self, conversation_id: str) -> List[Message]:
        """One conversation's messages in the order they happened (empty if there is none)."""
        return self.messages_for([conversation_id]).get(conversation_id, [])

    def messages_for(self, conversation_ids: List[str]) -> Dict[str, List[Message]]:
        """Several conversations' messages, read in chunks (for exports of a filtered list)."""
        if not conversation_ids or not self._has_events_table():
            return {}
        found: Dict[str, List[Message]] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(conversation_ids), CHUNK):
                found.update(self._messages_of(connection, conversation_ids[start : start + CHUNK]))
        return found

    @staticmethod
    def _messages_of(connection: object, senders: List[str]) -> Dict[str, List[Message]]:
        query = (
            select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
            .where(EVENTS.c.sender_id.in_(senders))
            .where(EVENTS.c.type_name.in_(("user", "bot", "slot")))
            .order_by(EVENTS.c.id)
        )
        grouped: Dict[str, List[Message]] = {}
        for event_id, sender, type_name, timestamp, data in connection.execute(query):  # type: ignore[attr-defined]
            message = parse_event(event_id, type_name, timestamp, data)
            if message is not None:
                grouped.setdefault(sender, []).append(message)
        return grouped
