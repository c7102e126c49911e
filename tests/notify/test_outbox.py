"""The outbox keeps every escalation and notification until it is delivered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from confidant.notify.outbox import Outbox, utc_now


def open_one(outbox: Outbox, conversation: str = "c-1"):
    return outbox.record_escalation(
        conversation, "self_harm", "rest", ["on-call", "lead"], lambda e: {"escalation_id": e.id}
    )


def test_an_escalation_queues_one_notification_per_notifier(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    escalation = open_one(outbox)
    due = outbox.due()
    assert escalation.is_new
    assert sorted(n.notifier for n in due) == ["lead", "on-call"]
    assert all(n.payload == {"escalation_id": escalation.id} for n in due)


def test_repeated_risk_messages_do_not_page_again_until_acknowledged(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    first = open_one(outbox)
    again = open_one(outbox)
    assert again.id == first.id and not again.is_new and again.repeat_count == 1
    assert len(outbox.notifications()) == 2
    assert outbox.acknowledge(first.id, "dr-lee")
    assert not outbox.acknowledge(first.id, "dr-lee")
    after = open_one(outbox)
    assert after.id != first.id and len(outbox.notifications()) == 4


def test_pending_notifications_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    outbox = Outbox(path)
    escalation = open_one(outbox)
    outbox.close()
    reopened = Outbox(path)
    assert {n.escalation_id for n in reopened.due()} == {escalation.id}


def test_a_failed_attempt_backs_off_and_stays_pending(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    open_one(outbox)
    first = outbox.due()[0]
    outbox.mark_failed_attempt(first.id, "webhook unreachable")
    assert first.id not in {n.id for n in outbox.due()}
    later = outbox.due(now=utc_now() + timedelta(seconds=5))
    assert first.id in {n.id for n in later}
    assert later[0].attempts == 1 and later[0].status == "pending"


def test_overdue_escalations_are_found_once(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    escalation = open_one(outbox)
    assert outbox.overdue_escalations(timedelta(minutes=30)) == []
    overdue = outbox.overdue_escalations(timedelta(minutes=30), now=utc_now() + timedelta(minutes=31))
    assert [e.id for e in overdue] == [escalation.id]
    outbox.mark_second_contact(escalation.id, {"director": {"type": "second_contact"}})
    assert outbox.overdue_escalations(timedelta(minutes=30), now=utc_now() + timedelta(minutes=31)) == []
