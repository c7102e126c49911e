"""`python -m review.cli.retention`: purge conversations older than the practice's retention period.

A conversation goes when its last event is older than `assistant.retention_days` in
practice.yml: its tracker events, call-back details, notes and escalations, each purge
recorded in the audit log. The review app runs the same purge on a schedule (hourly by
default, `CONFIDANT_REVIEW_RETENTION_INTERVAL` seconds; 0 turns the schedule off).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from datetime import datetime
from typing import List, Optional, Sequence

from review.config import ReviewConfig
from review.services import Services, build_services
from review.storage import audit
from review.storage.deletion import Erased

logger = logging.getLogger(__name__)
ACTOR = "retention"


def run_once(services: Services, now: Optional[datetime] = None) -> List[Erased]:
    """Purge every expired conversation now, and audit each one."""
    days = services.settings.assistant.retention_days
    erased = services.eraser.purge_expired(days, now)
    for item in erased:
        services.audit.record(
            ACTOR, audit.RETENTION, item.conversation_id, f"older than {days} days: {item.describe()}"
        )
    return erased


async def run_on_schedule(services: Services, interval_seconds: float) -> None:
    """Purge at start-up and then every `interval_seconds`, until cancelled; a failed run is retried."""
    while True:
        try:
            erased = await asyncio.to_thread(run_once, services)
            if erased:
                logger.info("Retention purged %d conversation(s).", len(erased))
        except Exception:  # the schedule must survive a failed run; the next one tries again
            logger.exception("Retention run failed; trying again in %s seconds.", interval_seconds)
        await asyncio.sleep(interval_seconds)


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="list what would be purged, delete nothing")
    args = parser.parse_args(argv)
    services = build_services(ReviewConfig.from_env())
    days = services.settings.assistant.retention_days
    if args.dry_run:
        expired = services.eraser.expired(days)
        for conversation_id in expired:
            print(conversation_id)
        print(f"{len(expired)} conversation(s) older than {days} days would be purged.")
        return
    erased = run_once(services)
    print(f"Purged {len(erased)} conversation(s) whose last message is older than {days} days.")


if __name__ == "__main__":
    main()
