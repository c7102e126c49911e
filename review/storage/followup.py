"""Notes on escalations and "resolved" marks: the review tool's record of the follow-up.

Acknowledgement itself lives in the outbox (it is what stops the second-contact page); what a
clinician did afterwards lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from review.storage.appdb import NOTES, RESOLUTIONS, stamp

MAX_NOTE_CHARS = 5000


@dataclass(frozen=True)
class Note:
    id: int
    conversation_id: str
    escalation_id: Optional[str]
    author: str
    body: str
    created_at: str


@dataclass(frozen=True)
class Resolution:
    escalation_id: str
    conversation_id: str
    resolved_by: str
    resolved_at: str


class FollowUp:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_note(self, conversation_id: str, escalation_id: Optional[str], author: str, body: str) -> Note:
        body = body.strip()
        if not body:
            raise ValueError("A note cannot be empty.")
        if len(body) > MAX_NOTE_CHARS:
            raise ValueError(f"A note has at most {MAX_NOTE_CHARS} characters.")
        created = stamp()
        with self.engine.begin() as connection:
            result = connection.execute(
                insert(NOTES).values(
                    conversation_id=conversation_id,
                    escalation_id=escalation_id,
                    author=author,
                    body=body,
                    created_at=created,
                )
            )
            note_id = int(result.inserted_primary_key[0])
        return Note(note_id, conversation_id, escalation_id, author, body, created)

    def notes(self, conversation_ids: Optional[Iterable[str]] = None) -> Dict[str, List[Note]]:
        """Notes by conversation, oldest first."""
        query = select(NOTES).order_by(NOTES.c.id)
        if conversation_ids is not None:
            query = query.where(NOTES.c.conversation_id.in_(list(conversation_ids)))
        grouped: Dict[str, List[Note]] = {}
        with self.engine.connect() as connection:
            for row in connection.execute(query):
                grouped.setdefault(row.conversation_id, []).append(
                    Note(row.id, row.conversation_id, row.escalation_id, row.author, row.body, row.created_at)
                )
        return grouped

    def resolve(self, escalation_id: str, conversation_id: str, by: str) -> bool:
        """Mark an escalation resolved; False if it already was."""
        with self.engine.begin() as connection:
            if connection.execute(
                select(RESOLUTIONS.c.escalation_id).where(RESOLUTIONS.c.escalation_id == escalation_id)
            ).first():
                return False
            connection.execute(
                insert(RESOLUTIONS).values(
                    escalation_id=escalation_id, conversation_id=conversation_id, resolved_by=by, resolved_at=stamp()
                )
            )
        return True

    def reopen(self, escalation_id: str) -> bool:
        """Take a "resolved" mark back (the follow-up was not finished); False if it was not resolved."""
        with self.engine.begin() as connection:
            removed = connection.execute(delete(RESOLUTIONS).where(RESOLUTIONS.c.escalation_id == escalation_id))
        return bool(removed.rowcount)

    def resolutions(self) -> Dict[str, Resolution]:
        """Resolutions by escalation id."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(RESOLUTIONS)).all()
        return {
            r.escalation_id: Resolution(r.escalation_id, r.conversation_id, r.resolved_by, r.resolved_at) for r in rows
        }

    def forget_conversation(self, conversation_id: str) -> int:
        """Delete a conversation's notes and resolutions; returns how many notes went."""
        with self.engine.begin() as connection:
            notes = connection.execute(delete(NOTES).where(NOTES.c.conversation_id == conversation_id)).rowcount
            connection.execute(delete(RESOLUTIONS).where(RESOLUTIONS.c.conversation_id == conversation_id))
        return int(notes)
