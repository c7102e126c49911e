"""`python -m review.cli.retention`: purge conversations older than the practice's retention period.

A conversation goes when its last event is older than `assistant.retention_days` in
practice.yml: its tracker events, call-back details, notes and escalations, each purge
recorded in the audit log. Appointment requests the client never agreed to send (a form left
half way) go sooner, `assistant.appointment_draft_hours` after their last answer: the practice
never saw them and has no use for them; the audit log records how many, nothing else. The
review app runs the same purge on a schedule (hourly by default,
`CONFIDANT_REVIEW_RETENTION_INTERVAL` seconds; 0 turns the schedule off).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional, Sequence

from review.config import ReviewConfig
from review.services import Services, build_services
from review.storage import audit
from review.storage.deletion import Erased

logger = logging.getLogger(__name__)
ACTOR = "retention"
# The audit target of a draft purge: the appointment requests as a whole, never a conversation.
DRAFTS_TARGET = "appointments"


@dataclass(frozen=True)
class RetentionRun:
    """What one run purged: whole conversations, and unsent appointment drafts (a count)."""

    conversations: List[Erased]
    drafts: int


def draft_cutoff(services: Services, now: Optional[datetime] = None) -> datetime:
    """Drafts last touched before this moment were left by their clients."""
    hours = services.settings.assistant.appointment_draft_hours
    return (now or datetime.now(timezone.utc)) - timedelta(hours=hours)


def run_once(services: Services, now: Optional[datetime] = None) -> RetentionRun:
    """Purge every expired conversation and every stale draft now, and audit what went."""
    days = services.settings.assistant.retention_days
    erased = services.eraser.purge_expired(days, now)
    for item in erased:
        services.audit.record(
            ACTOR, audit.RETENTION, item.conversation_id, f"older than {days} days: {item.describe()}"
        )
    drafts = services.vault.purge_stale_drafts(draft_cutoff(services, now))
    if drafts:
        hours = services.settings.assistant.appointment_draft_hours
        services.audit.record(
            ACTOR, audit.RETENTION, DRAFTS_TARGET, f"{drafts} unsent appointment draft(s) older than {hours} hours"
        )
    return RetentionRun(erased, drafts)


async def run_on_schedule(services: Services, interval_seconds: float) -> None:
    """Purge at start-up and then every `interval_seconds`, until cancelled; a failed run is retried."""
    while True:
        try:
            run = await asyncio.to_thread(run_once, services)
            if run.conversations or run.drafts:
                logger.info(
                    "Retention purged %d conversation(s) and %d unsent appointment draft(s).",
                    len(run.conversations),
                    run.drafts,
                )
        except Exception:  # the schedule must survive a failed run; the next one tries again
            logger.exception("Retention run failed; trying again in %s seconds.", interval_seconds)
        await asyncio.sleep(interval_seconds)


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="list what would be purged, delete nothing")
    args = parser.parse_args(argv)
    services = build_services(ReviewConfig.from_env())
    days = services.settings.assistant.retention_days
    hours = services.settings.assistant.appointment_draft_hours
    if args.dry_run:
        expired = services.eraser.expired(days)
        for conversation_id in expired:
            print(conversation_id)
        print(f"{len(expired)} conversation(s) older than {days} days would be purged.")
        drafts = services.vault.stale_drafts(draft_cutoff(services))
        print(f"{drafts} unsent appointment draft(s) older than {hours} hours would be deleted.")
        return
    run = run_once(services)
    print(f"Purged {len(run.conversations)} conversation(s) whose last message is older than {days} days.")
    print(f"Deleted {run.drafts} unsent appointment draft(s) older than {hours} hours.")


if __name__ == "__main__":
    main()
