"""Empties the outbox: delivers what is due, backs off what fails, pages the second contact.

Runs as a background task of the action server. Delivery state lives in the outbox, so a
restart loses nothing: whatever was pending is picked up on the next pass.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Dict, List, Optional

from confidant.notify.delivery import DeliveryError, deliver, missing_environment, transport_problem
from confidant.notify.outbox import Escalation, Outbox
from confidant.notify.payloads import escalation_payload
from confidant.notify.reconciler import EscalationReconciler
from confidant.settings import Notifier, PracticeSettings

logger = logging.getLogger(__name__)


class Dispatcher:
    """Delivers notifications named in the practice settings."""

    def __init__(
        self, outbox: Outbox, settings: PracticeSettings, reconciler: Optional[EscalationReconciler] = None
    ) -> None:
        self.outbox = outbox
        self.settings = settings
        self.reconciler = reconciler
        self.notifiers: Dict[str, Notifier] = {
            notifier.name: notifier for notifier in settings.escalation.notifiers + settings.escalation.second_contact
        }

    def configuration_problems(self) -> List[str]:
        """One line per notifier that cannot deliver yet, for the start-up log."""
        problems = []
        for name, notifier in self.notifiers.items():
            missing = missing_environment(notifier)
            refused = None if missing else transport_problem(notifier)
            if missing:
                problems.append(f"notifier '{name}' has no {missing}: its notifications wait in the outbox")
            elif refused:
                problems.append(f"notifier '{name}' refused: {refused}; its notifications wait in the outbox")
        return problems

    async def deliver_due(self, now: Optional[datetime] = None) -> int:
        """One pass over notifications due by `now`; returns how many were delivered."""
        delivered = 0
        for notification in self.outbox.due(now):
            notifier = self.notifiers.get(notification.notifier)
            if notifier is None:
                self.outbox.mark_failed_attempt(
                    notification.id, f"notifier '{notification.notifier}' is not in the settings"
                )
                continue
            try:
                await deliver(notifier, notification.payload)
            except DeliveryError as error:
                logger.warning(
                    "Notification %s to '%s' not delivered (attempt %s): %s",
                    notification.id,
                    notification.notifier,
                    notification.attempts + 1,
                    error,
                )
                self.outbox.mark_failed_attempt(notification.id, str(error))
            else:
                self.outbox.mark_sent(notification.id)
                delivered += 1
        return delivered

    def acknowledgement_deadline(self, created_at: datetime) -> datetime:
        """`ack_timeout_minutes` of office time after the escalation (closed hours do not count).

        An escalation while the practice is closed is due that long after it next opens; one
        shortly before closing carries the rest over to the next opening.
        """
        timeout = timedelta(minutes=self.settings.escalation.ack_timeout_minutes)
        return self.settings.practice.week.office_time_deadline(created_at, timeout)

    def page_second_contacts(self, now: Optional[datetime] = None) -> List[Escalation]:
        """Queue the second contact for escalations nobody acknowledged in time."""
        overdue = self.outbox.overdue_escalations(self.acknowledgement_deadline, now)
        for escalation in overdue:
            payload = escalation_payload(self.settings, escalation, kind="second_contact")
            self.outbox.mark_second_contact(
                escalation.id,
                {notifier.name: payload for notifier in self.settings.escalation.second_contact},
            )
            logger.warning("Escalation %s not acknowledged in time: second contact paged", escalation.id)
        return overdue

    async def run_forever(self, interval_seconds: float = 2.0, stop: Optional[asyncio.Event] = None) -> None:
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                if self.reconciler:
                    self.reconciler.run_once()
                self.page_second_contacts()
                await self.deliver_due()
            except Exception as error:  # noqa: BLE001 - the loop must outlive one bad pass
                logger.error("Outbox pass failed: %s", type(error).__name__)
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
            except asyncio.TimeoutError:
                pass
