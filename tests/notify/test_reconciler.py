"""Risk messages the action server missed are escalated once it is back, exactly once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from confidant.notify.outbox import Outbox
from confidant.notify.reconciler import EscalationReconciler


def store_messages(url: str, conversation: str, intents: list[str]) -> None:
    store = SQLTrackerStore(Domain.empty(), host=url)
    tracker = DialogueStateTracker(conversation, [])
    for intent in intents:
        tracker.update(
            UserUttered("...", intent={"name": intent, "confidence": 1.0}, input_channel="rest", timestamp=time.time())
        )
    asyncio.run(store.save(tracker))


def reconciler_for(tmp_path: Path, url: str) -> tuple[EscalationReconciler, Outbox]:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    return EscalationReconciler(outbox, ["on-call"], lambda e: {"id": e.id}, database_url=url), outbox


def test_a_missed_risk_message_is_escalated_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    store_messages(url, "missed", ["greet", "risk_self_harm"])
    store_messages(url, "calm", ["greet", "faq"])
    reconciler, outbox = reconciler_for(tmp_path, url)

    assert reconciler.run_once() == 1
    assert reconciler.run_once() == 0
    escalation = outbox.open_escalation_for("missed")
    assert escalation.category == "self_harm" and escalation.channel == "rest"
    assert outbox.open_escalation_for("calm") is None
    assert [n.notifier for n in outbox.notifications(escalation.id)] == ["on-call"]


def test_a_risk_message_already_escalated_is_left_alone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    reconciler, outbox = reconciler_for(tmp_path, url)
    store_messages(url, "handled", ["risk_abuse_disclosure"])
    # action_escalate ran after the message arrived.
    outbox.record_escalation("handled", "abuse", "rest", ["on-call"], lambda e: {})
    assert reconciler.run_once() == 0
    assert len(outbox.notifications()) == 1


def test_no_tracker_store_yet_is_not_an_error(tmp_path: Path) -> None:
    reconciler, _ = reconciler_for(tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert reconciler.run_once() == 0
