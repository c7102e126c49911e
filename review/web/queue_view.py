"""What one row of the escalation queue tells a clinician, worked out from the stores.

For each escalation: the message that raised it (masked, evidence marked), who is writing
(the risk component's `risk.writer`), whether the client asked for a call-back (masked contact,
how and when, if the form recorded them), and how long it has waited against the
acknowledgement deadline, which counts office time only (`confidant.office_hours`, as the
dispatcher pages the second contact). Pure: the clock and the data come in as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

from confidant.notify.records import Notification
from confidant.office_hours import OfficeWeek
from review.labels import callback_how_label, writer_label
from review.masking import find_contacts, mask_text
from review.storage.escalation_queue import QueueItem
from review.storage.tracker_events import Message
from review.web.segments import Segment, segments

# The action server and the tracker store stamp the same moment separately: a risk message may
# carry a time a little after its escalation's.
CLOCK_SLACK = timedelta(minutes=5)
TRIGGER_CHARS = 240
CALLBACK_KINDS = ("callback", "callback_withdrawn")


def duration_text(span: timedelta) -> str:
    """A span as people say it: "under a minute", "12 min", "2 h 05 min", "3 d 4 h"."""
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


@dataclass(frozen=True)
class Timing:
    """How long an escalation waited (or has been waiting) for a person, against its deadline."""

    created_at: datetime
    deadline: datetime
    waited: timedelta
    overdue: bool
    late_by: timedelta
    settled: bool  # acknowledged: the wait is over

    @property
    def waited_text(self) -> str:
        return duration_text(self.waited)

    @property
    def late_text(self) -> str:
        return duration_text(self.late_by)


@dataclass(frozen=True)
class CallbackRequest:
    contact: str = ""  # masked ("phone ending 23")
    how: str = ""
    when: str = ""
    withdrawn: bool = False


@dataclass(frozen=True)
class QueueRow:
    item: QueueItem
    timing: Timing
    trigger: Optional[Message] = None
    trigger_pieces: List[Segment] = field(default_factory=list)
    trigger_cut: bool = False
    writer: str = ""
    writer_reason: str = ""
    callback: Optional[CallbackRequest] = None

    @property
    def escalation(self):  # noqa: ANN201 - the outbox's Escalation
        return self.item.escalation

    @property
    def status(self) -> str:
        return self.item.status


def _moment(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def timing(item: QueueItem, week: OfficeWeek, ack_timeout: timedelta, now: datetime) -> Timing:
    """The wait so far (or until acknowledgement) and whether the office-time deadline passed."""
    escalation = item.escalation
    created = _moment(escalation.created_at)
    deadline = week.office_time_deadline(created, ack_timeout)
    if escalation.acknowledged_at:
        end = _moment(escalation.acknowledged_at)
        return Timing(created, deadline, end - created, end > deadline, max(end - deadline, timedelta(0)), True)
    return Timing(created, deadline, now - created, now >= deadline, max(now - deadline, timedelta(0)), False)


def trigger_message(messages: Sequence[Message], created_at: datetime) -> Optional[Message]:
    """The risk message that opened the escalation: the last one up to its creation (with a little
    slack for the two clocks), else the conversation's first; without risk data, the last message
    the client typed before it."""
    risky = [message for message in messages if message.kind == "client" and message.risk_category]
    before = [message for message in risky if message.at <= created_at + CLOCK_SLACK]
    if before:
        return before[-1]
    if risky:
        return risky[0]
    typed = [
        message
        for message in messages
        if message.kind == "client" and not message.is_payload and message.at <= created_at + CLOCK_SLACK
    ]
    return typed[-1] if typed else None


def shortened(pieces: List[Segment], limit: int) -> tuple:
    """The first `limit` characters of a message's pieces, and whether anything was cut."""
    kept: List[Segment] = []
    used = 0
    for piece in pieces:
        if used + len(piece.text) <= limit:
            kept.append(piece)
            used += len(piece.text)
            continue
        if not piece.masked and limit - used > 0:
            kept.append(Segment(piece.text[: limit - used].rstrip() + "…", piece.evidence, False, piece.contact))
        elif kept:
            kept.append(Segment("…"))
        return kept, True
    return kept, False


def callback_request(
    messages: Sequence[Message], since: datetime, notifications: Iterable[Notification], keep: Sequence[str]
) -> Optional[CallbackRequest]:
    """What the call-back form left after `since`: the masked contact, how and when (tracker slots),
    or at least the notice it queued for the practice. None if no call-back was asked for."""
    values: Dict[str, str] = {}
    for message in messages:
        if message.kind == "slot" and message.slot and message.at >= since and message.text:
            values[message.slot] = message.text
    kinds = [notification.kind for notification in notifications if notification.kind in CALLBACK_KINDS]
    if not values.get("callback_contact") and "callback" not in kinds:
        return None
    contact = values.get("callback_contact", "")
    if contact and find_contacts(contact, keep):
        contact = mask_text(contact, keep).strip("[]")
    return CallbackRequest(
        contact=contact,
        how=callback_how_label(values.get("callback_how")),
        when=mask_text(values.get("callback_when", ""), keep),
        withdrawn=bool(kinds) and kinds[-1] == "callback_withdrawn",
    )


def queue_rows(
    items: Sequence[QueueItem],
    messages: Mapping[str, Sequence[Message]],
    notifications: Mapping[str, Sequence[Notification]],
    week: OfficeWeek,
    ack_timeout: timedelta,
    now: datetime,
    keep: Sequence[str] = (),
) -> List[QueueRow]:
    """One row per escalation, in the order given."""
    rows = []
    for item in items:
        escalation = item.escalation
        own = messages.get(escalation.conversation_id, ())
        times = timing(item, week, ack_timeout, now)
        trigger = trigger_message(own, times.created_at)
        pieces: List[Segment] = []
        cut = False
        if trigger is not None:
            full = segments(trigger.text, trigger.evidence, find_contacts(trigger.text, keep))
            pieces, cut = shortened(full, TRIGGER_CHARS)
        since = trigger.at if trigger is not None else times.created_at - CLOCK_SLACK
        rows.append(
            QueueRow(
                item=item,
                timing=times,
                trigger=trigger,
                trigger_pieces=pieces,
                trigger_cut=cut,
                writer=writer_label(trigger.risk_writer if trigger else None),
                writer_reason=mask_text(trigger.risk_writer_reason or "", keep) if trigger else "",
                callback=callback_request(own, since, notifications.get(escalation.id, ()), keep),
            )
        )
    return rows


@dataclass(frozen=True)
class QueueCounts:
    open: int
    overdue: int

    def as_dict(self) -> Dict[str, int]:
        return {"open": self.open, "overdue": self.overdue}


def queue_counts(items: Iterable[QueueItem], week: OfficeWeek, ack_timeout: timedelta, now: datetime) -> QueueCounts:
    """Unacknowledged escalations, and how many of them are past their deadline."""
    waiting = [item for item in items if item.status == "open"]
    overdue = sum(1 for item in waiting if timing(item, week, ack_timeout, now).overdue)
    return QueueCounts(len(waiting), overdue)
