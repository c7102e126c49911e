"""The escalation action records the escalation, its evidence, and queues notifications."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import ActionEscalate
from confidant.notify import outbox as outbox_module
from tests.actions.conftest import make_tracker


@pytest.fixture
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(outbox_module.OUTBOX_PATH_ENV_VAR, str(tmp_path / "outbox.sqlite3"))
    outbox_module.default_outbox.cache_clear()
    yield outbox_module.default_outbox()
    outbox_module.default_outbox.cache_clear()


def risk_message(text: str = "i want to end it all") -> dict:
    return {
        "text": text,
        "intent": {"name": "risk_self_harm", "confidence": 1.0},
        "risk": {
            "category": "self_harm",
            "layers": ["screen", "classifier"],
            "screen": {"evidence": [{"text": "end it all", "start": 10, "end": 20, "pattern": "sh-end-it-all"}]},
            "classifier": {"intent": "risk_self_harm", "confidence": 0.97},
        },
    }


def test_escalation_sets_slots_records_evidence_and_queues_every_notifier(outbox, domain) -> None:
    tracker = make_tracker([{"event": "user", "input_channel": "rest", "parse_data": {}}], latest=risk_message())
    events = asyncio.run(ActionEscalate().run(CollectingDispatcher(), tracker, domain))
    slots = {event["name"]: event["value"] for event in events}
    assert slots["escalated"] is True and slots["risk_category"] == "self_harm"
    assert slots["risk_evidence"]["evidence"][0]["text"] == "end it all"
    assert slots["risk_evidence"]["layers"] == ["screen", "classifier"]
    notifications = outbox.notifications(slots["risk_evidence"]["escalation_id"])
    assert sorted(n.notifier for n in notifications) == ["clinical-lead", "on-call"]
    assert all(n.payload["conversation_id"] == "conv-test" and "message" not in n.payload for n in notifications)
    assert notifications[0].payload["channel"] == "rest"


def test_a_risk_intent_without_a_category_still_escalates(outbox, domain) -> None:
    latest = {"text": "...", "intent": {"name": "risk_abuse_disclosure", "confidence": 0.6}}
    events = asyncio.run(ActionEscalate().run(CollectingDispatcher(), make_tracker([], latest=latest), domain))
    assert {e["name"]: e["value"] for e in events}["risk_category"] == "abuse"


def test_a_flood_of_escalations_pages_up_to_the_threshold_then_alerts_once(outbox, domain) -> None:
    from confidant.settings import current_settings

    threshold = current_settings().escalation.unusual_volume_per_hour
    for number in range(threshold + 30):
        tracker = make_tracker([], latest=risk_message())
        tracker.sender_id = f"flood-{number}"
        asyncio.run(ActionEscalate().run(CollectingDispatcher(), tracker, domain))
    kinds = [n.kind for n in outbox.notifications() if n.notifier == "on-call"]
    assert kinds.count("escalation") == threshold and kinds.count("unusual_volume") == 1
    assert len(outbox.escalations()) == threshold + 30
