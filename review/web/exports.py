"""Conversations as JSON or CSV files, masked unless the export itself was an audited reveal.

CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) are
prefixed with an apostrophe: a client's message must never become a formula on a clinician's
computer.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any, Dict, Iterable, List, Sequence

from review.masking import mask_text
from review.storage.escalation_queue import QueueItem
from review.storage.tracker_events import Message

CSV_COLUMNS = (
    "conversation_id",
    "time",
    "who",
    "text",
    "topic",
    "intent",
    "channel",
    "risk_category",
    "risk_level",
    "risk_evidence",
    "escalation_status",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _message_record(message: Message, reveal: bool, keep: Sequence[str]) -> Dict[str, Any]:
    def shown(text: str) -> str:
        return text if reveal else mask_text(text, keep)

    who = {"client": "client", "assistant": "assistant"}.get(message.kind, "system")
    record: Dict[str, Any] = {"time": _iso(message.at), "who": who, "text": shown(message.text)}
    if message.kind == "client":
        record.update(
            topic=message.topic,
            intent=message.intent,
            channel=message.channel,
            risk_category=message.risk_category,
            risk_level=message.risk_level,
            risk_evidence=[
                {"start": item.start, "end": item.end, "text": shown(item.text), "pattern": item.pattern}
                for item in message.evidence
            ],
        )
    elif message.kind == "slot":
        record["slot"] = message.slot
    return record


def conversation_record(
    conversation_id: str,
    messages: Sequence[Message],
    escalations: Iterable[QueueItem],
    reveal: bool,
    keep: Sequence[str] = (),
) -> Dict[str, Any]:
    """One conversation as a JSON-ready dict: its messages and its escalations' follow-up."""
    return {
        "conversation_id": conversation_id,
        "first_message_at": _iso(messages[0].at) if messages else None,
        "last_message_at": _iso(messages[-1].at) if messages else None,
        "contact_details": "shown" if reveal else "masked",
        "escalations": [
            {
                "id": item.escalation.id,
                "category": item.escalation.category,
                "channel": item.escalation.channel,
                "created_at": item.escalation.created_at,
                "status": item.status,
                "acknowledged_by": item.escalation.acknowledged_by,
                "acknowledged_at": item.escalation.acknowledged_at,
                "resolved_by": item.resolution.resolved_by if item.resolution else None,
                "resolved_at": item.resolution.resolved_at if item.resolution else None,
                "notes": [
                    {
                        "author": note.author,
                        "at": note.created_at,
                        "text": note.body if reveal else mask_text(note.body, keep),
                    }
                    for note in item.notes
                ],
            }
            for item in escalations
        ],
        "messages": [_message_record(message, reveal, keep) for message in messages],
    }


def to_json(records: List[Dict[str, Any]], exported_by: str, exported_at: datetime) -> str:
    document = {"exported_by": exported_by, "exported_at": _iso(exported_at), "conversations": records}
    return json.dumps(document, indent=2, ensure_ascii=False)


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(records: List[Dict[str, Any]]) -> str:
    """One row per message, oldest first within each conversation."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        statuses = sorted({item["status"] for item in record["escalations"]})
        for message in record["messages"]:
            evidence = "; ".join(item["text"] for item in message.get("risk_evidence") or [])
            row = {
                **message,
                "conversation_id": record["conversation_id"],
                "risk_evidence": evidence,
                "escalation_status": ", ".join(statuses),
            }
            if message.get("slot"):
                row["text"] = f"{message['slot']} = {message['text']}"
            writer.writerow([safe_cell(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()
