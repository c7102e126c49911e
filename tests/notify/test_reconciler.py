"""Risk messages the action server missed are escalated once it is back, exactly once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from unittest import mock

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from confidant.notify.outbox import Outbox
from confidant.notify.reconciler import WATERMARK_KEY, EscalationReconciler


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


def test_a_long_history_is_read_a_page_at_a_time_and_every_missed_risk_message_escalated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    for number in range(5):
        store_messages(url, f"quiet{number}", ["greet", "faq", "thanks"])
    store_messages(url, "missed", ["greet", "faq", "risk_harm_others"])
    store_messages(url, "later", ["concern_abuse"])
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    reconciler = EscalationReconciler(outbox, ["on-call"], lambda e: {"id": e.id}, database_url=url, page_size=2)

    with mock.patch.object(reconciler, "_page_after", wraps=reconciler._page_after) as pages:
        assert reconciler.run_once() == 2
    assert pages.call_count == 11  # 19 user messages, 2 a page (10 pages), and the empty page that ends the pass
    assert outbox.open_escalation_for("missed").category == "harm_others"
    assert outbox.open_escalation_for("later").category == "abuse"
    assert outbox.open_escalation_for("quiet0") is None
    assert reconciler.run_once() == 0
    with sa.create_engine(url).connect() as connection:
        last_user_event = connection.execute(sa.text("SELECT max(id) FROM events WHERE type_name = 'user'")).scalar()
    assert outbox.get_state(WATERMARK_KEY) == str(last_user_event)
