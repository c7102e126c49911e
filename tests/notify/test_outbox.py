"""The outbox keeps every escalation and notification until it is delivered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from confidant.notify.outbox import NOTICE_CONVERSATION_COLUMN, PAGED_COLUMN, SCHEMA, Outbox, utc_now


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


# ---- a flood of escalations: one "unusual volume" alert, not a page for each ---------------------

import sqlite3  # noqa: E402

from confidant.notify.outbox import VolumeAlert  # noqa: E402
from confidant.notify.payloads import volume_alert  # noqa: E402
from confidant.settings import current_settings  # noqa: E402


def flood(
    outbox: Outbox, conversations: int, start, per_hour: int = 3, minutes_apart: float = 1.0, name: str = "flood"
) -> list:
    volume = VolumeAlert(per_hour, lambda count: {"type": "unusual_volume", "count": count})
    return [
        outbox.record_escalation(
            f"{name}-{number}",
            "self_harm",
            "rest",
            ["on-call", "lead"],
            lambda e: {"escalation_id": e.id},
            now=start + timedelta(minutes=number * minutes_apart),
            volume=volume,
        )
        for number in range(conversations)
    ]


def test_beyond_the_threshold_the_practice_gets_one_alert_instead_of_a_page_each(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    opened = flood(outbox, 50, utc_now())
    kinds = [(n.kind, n.notifier) for n in outbox.notifications()]
    assert kinds.count(("escalation", "on-call")) == 3 and kinds.count(("escalation", "lead")) == 3
    alerts = [n for n in outbox.notifications() if n.kind == "unusual_volume"]
    assert sorted(n.notifier for n in alerts) == ["lead", "on-call"]
    assert alerts[0].payload == {"type": "unusual_volume", "count": 4}
    # Every escalation is still recorded for the review queue, each under its own conversation.
    assert len(outbox.escalations()) == 50 and [e.paged for e in opened].count(True) == 3


def test_escalations_not_paged_one_by_one_do_not_page_the_second_contact_either(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    flood(outbox, 20, utc_now() - timedelta(hours=2), minutes_apart=0.1)
    overdue = outbox.overdue_escalations(timedelta(minutes=30))
    assert len(overdue) == 3 and all(e.paged for e in overdue)


def test_after_an_hour_below_the_threshold_pages_resume_and_a_new_flood_alerts_again(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    start = utc_now() - timedelta(hours=3)
    flood(outbox, 10, start)  # 3 paged, 1 alert
    later = flood(outbox, 10, start + timedelta(hours=2), name="later")  # an hour on: 3 paged, 1 alert again
    assert [e.paged for e in later][:4] == [True, True, True, False]
    assert len([n for n in outbox.notifications() if n.kind == "unusual_volume"]) == 4  # 2 alerts x 2 notifiers


def test_a_flood_in_one_conversation_is_one_escalation(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    start = utc_now()
    volume = VolumeAlert(3, lambda count: {"count": count})
    for minute in range(100):
        outbox.record_escalation(
            "same", "self_harm", "rest", ["on-call"], lambda e: {}, volume=volume, now=start + timedelta(seconds=minute)
        )
    [escalation] = outbox.escalations()
    assert escalation.repeat_count == 99 and [n.kind for n in outbox.notifications()] == ["escalation"]


def test_the_alert_names_the_count_and_the_queue_but_no_conversation(tmp_path: Path) -> None:
    payload = volume_alert(current_settings()).payload_for(21)
    assert payload["type"] == "unusual_volume" and "21 escalations" in payload["summary"]
    assert payload["review_link"].endswith("/escalations") and "conversation_id" not in payload


def test_an_outbox_made_before_the_volume_alert_gets_the_new_column(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE escalations (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, category TEXT NOT NULL,"
        " channel TEXT, created_at TEXT NOT NULL, repeat_count INTEGER NOT NULL DEFAULT 0,"
        " last_seen_at TEXT NOT NULL, acknowledged_at TEXT, acknowledged_by TEXT, second_contact_at TEXT);"
        "INSERT INTO escalations (id, conversation_id, category, created_at, last_seen_at)"
        " VALUES ('old', 'c-old', 'abuse', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00');"
    )
    old.close()
    outbox = Outbox(path)
    assert outbox.escalation("old").paged
    assert [e.id for e in outbox.overdue_escalations(timedelta(minutes=30))] == ["old"]


def test_a_notice_about_an_appointment_is_delivered_like_any_other_and_erased_with_its_conversation(
    tmp_path: Path,
) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    payloads = {"on-call": {"type": "appointment_request"}, "lead": {"type": "appointment_request"}}
    outbox.queue_notice("appointment:7", "c-1", "appointment_request", payloads)
    outbox.queue_notice("appointment:7", "c-1", "appointment_request", payloads)  # once per request
    outbox.queue_notice("appointment:8", "c-2", "appointment_request", payloads)
    assert sorted((n.escalation_id, n.notifier) for n in outbox.due()) == [
        ("appointment:7", "lead"),
        ("appointment:7", "on-call"),
        ("appointment:8", "lead"),
        ("appointment:8", "on-call"),
    ]
    outbox.forget_conversation("c-1")
    assert {n.escalation_id for n in outbox.notifications()} == {"appointment:8"}


def test_an_outbox_made_before_notices_gets_their_column(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "outbox.sqlite3"
    Outbox(path).close()
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE old AS SELECT * FROM notifications")
    connection.execute("DROP TABLE notifications")
    connection.execute(
        "CREATE TABLE notifications (id INTEGER PRIMARY KEY AUTOINCREMENT, escalation_id TEXT NOT NULL,"
        " kind TEXT NOT NULL, notifier TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending',"
        " attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, last_error TEXT,"
        " created_at TEXT NOT NULL, sent_at TEXT, UNIQUE (escalation_id, kind, notifier))"
    )
    connection.commit()
    connection.close()
    outbox = Outbox(path)
    outbox.queue_notice("appointment:1", "c-1", "appointment_request", {"lead": {}})
    outbox.forget_conversation("c-1")
    assert outbox.notifications() == []


def test_two_processes_opening_a_new_outbox_at_once_both_start(tmp_path: Path) -> None:
    """On a first `make run` the action server and the review app create the outbox together.

    The other process is held inside its own set-up (it has created the tables and is adding the
    later columns) while this one opens: this one must wait and find the columns, not add them again.
    """
    import sqlite3
    import threading

    path = tmp_path / "outbox.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode=WAL")
    other.executescript(SCHEMA)
    other.execute("BEGIN IMMEDIATE")
    opened: list[Outbox] = []
    failures: list[BaseException] = []

    def open_outbox() -> None:
        try:
            opened.append(Outbox(path))
        except BaseException as error:  # noqa: BLE001 - the thread reports what the constructor raised
            failures.append(error)

    opening = threading.Thread(target=open_outbox)
    opening.start()
    opening.join(0.5)
    other.execute(f"ALTER TABLE escalations ADD COLUMN {PAGED_COLUMN}")
    other.execute(f"ALTER TABLE notifications ADD COLUMN {NOTICE_CONVERSATION_COLUMN}")
    other.execute("COMMIT")
    opening.join(10)
    assert failures == []
    outbox = opened[0]
    outbox.queue_notice("appointment:1", "c-1", "appointment_request", {"lead": {}})
    assert [n.escalation_id for n in outbox.notifications()] == ["appointment:1"]
