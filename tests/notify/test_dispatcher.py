"""Delivery to a real webhook receiver and a real SMTP server, including outages."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from confidant.notify.dispatcher import Dispatcher
from confidant.notify.outbox import Outbox, utc_now
from confidant.notify.payloads import escalation_payload
from confidant.settings import load_settings
from tests.support.receivers import SmtpServer, WebhookReceiver, practice_for_local_receivers

# The fixture practice: Monday to Friday 9 to 5 in New York; Thanksgiving 2025 (27 November) closed.
NEW_YORK = ZoneInfo("America/New_York")


def local_settings(tmp_path: Path):
    """The fixture practice with its notifiers opted in to the plain loopback receivers."""
    return load_settings(practice_for_local_receivers(tmp_path / "practice.yml"))


@pytest.fixture
def targets(monkeypatch: pytest.MonkeyPatch):
    webhook, smtp = WebhookReceiver(), SmtpServer()
    monkeypatch.setenv("CONFIDANT_WEBHOOK_URL", webhook.url)
    monkeypatch.setenv("CONFIDANT_WEBHOOK_TOKEN", "s3cret")
    monkeypatch.setenv("CONFIDANT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CONFIDANT_SMTP_PORT", str(smtp.port))
    yield webhook, smtp
    webhook.stop()
    smtp.stop()


def escalate(outbox: Outbox, settings, text: str = "private words") -> str:
    escalation = outbox.record_escalation(
        "conv-1",
        "self_harm",
        "rest",
        [n.name for n in settings.escalation.notifiers],
        lambda e: escalation_payload(settings, e, message_text=text),
    )
    return escalation.id


def created_at(outbox: Outbox, escalation_id: str, moment: datetime) -> None:
    stamp = moment.astimezone(timezone.utc).isoformat()  # as the outbox stores it
    outbox._connection.execute("UPDATE escalations SET created_at = ? WHERE id = ?", (stamp, escalation_id))


def test_both_notifiers_deliver_minimum_necessary(tmp_path: Path, targets) -> None:
    webhook, smtp = targets
    webhook.start()
    smtp.start()
    settings = local_settings(tmp_path)
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    escalation_id = escalate(outbox, settings)

    delivered = asyncio.run(Dispatcher(outbox, settings).deliver_due())

    assert delivered == 2
    [payload] = webhook.received
    assert payload["escalation_id"] == escalation_id
    assert payload["category"] == "self_harm" and payload["conversation_id"] == "conv-1"
    assert payload["review_link"].endswith("/conversations/conv-1")
    assert "message" not in payload  # no client text by default
    assert webhook.headers[0]["Authorization"] == "Bearer s3cret"
    [mail] = smtp.inbox
    assert mail["To"] == next(n.to for n in settings.escalation.notifiers if n.type == "email")
    assert "conv-1" in mail.get_payload() and "private words" not in mail.get_payload()
    assert all(n.status == "sent" for n in outbox.notifications())


def test_targets_down_then_back_lose_nothing(tmp_path: Path, targets) -> None:
    webhook, smtp = targets
    settings = local_settings(tmp_path)
    path = tmp_path / "outbox.sqlite3"
    outbox = Outbox(path)
    escalate(outbox, settings)

    assert asyncio.run(Dispatcher(outbox, settings).deliver_due()) == 0
    assert all(n.status == "pending" and n.attempts == 1 for n in outbox.notifications())
    assert all("unreachable" in n.last_error or "not accepted" in n.last_error for n in outbox.notifications())

    # The action server restarts while the targets are down; then they come back.
    outbox.close()
    outbox = Outbox(path)
    webhook.start()
    smtp.start()
    after_backoff = utc_now() + timedelta(seconds=10)
    assert asyncio.run(Dispatcher(outbox, settings).deliver_due(now=after_backoff)) == 2
    assert len(webhook.received) == 1 and len(smtp.inbox) == 1


def test_unconfigured_notifier_waits_in_the_outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFIDANT_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("CONFIDANT_SMTP_HOST", raising=False)
    settings = local_settings(tmp_path)
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    dispatcher = Dispatcher(outbox, settings)
    assert any("CONFIDANT_WEBHOOK_URL" in problem for problem in dispatcher.configuration_problems())
    escalate(outbox, settings)
    assert asyncio.run(dispatcher.deliver_due()) == 0
    assert all("not configured" in n.last_error for n in outbox.notifications())


def test_second_contact_is_paged_when_no_one_acknowledges(tmp_path: Path, targets) -> None:
    webhook, smtp = targets
    smtp.start()
    settings = local_settings(tmp_path)
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    escalation_id = escalate(outbox, settings)
    # Wednesday 11 a.m. at the practice; thirty-one minutes pass without an acknowledgement.
    created_at(outbox, escalation_id, datetime(2025, 11, 19, 11, tzinfo=NEW_YORK))
    dispatcher = Dispatcher(outbox, settings)
    assert dispatcher.page_second_contacts(now=datetime(2025, 11, 19, 11, 29, tzinfo=NEW_YORK)) == []
    assert [e.id for e in dispatcher.page_second_contacts(now=datetime(2025, 11, 19, 11, 31, tzinfo=NEW_YORK))] == [
        escalation_id
    ]
    assert dispatcher.page_second_contacts(now=datetime(2025, 11, 19, 11, 32, tzinfo=NEW_YORK)) == []
    asyncio.run(dispatcher.deliver_due())
    subjects = [mail["Subject"] for mail in smtp.inbox]
    assert any("NOT YET ACKNOWLEDGED" in subject for subject in subjects)
    [second_contact] = settings.escalation.second_contact
    director = [mail for mail in smtp.inbox if mail["To"] == second_contact.to]
    assert len(director) == 1


def test_an_acknowledged_escalation_pages_no_one_else(tmp_path: Path, targets) -> None:
    settings = local_settings(tmp_path)
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    escalation_id = escalate(outbox, settings)
    assert outbox.acknowledge(escalation_id, "dr-lee")
    outbox._connection.execute(
        "UPDATE escalations SET created_at = ? WHERE id = ?",
        ((utc_now() - timedelta(hours=2)).isoformat(), escalation_id),
    )
    assert Dispatcher(outbox, settings).page_second_contacts() == []


@pytest.mark.parametrize(
    ("escalated", "not_yet", "due"),
    [
        # Friday night: no one is expected to acknowledge before Monday 9 a.m., then 30 minutes.
        ((2025, 11, 21, 22, 0), [(2025, 11, 22, 12, 0), (2025, 11, 24, 9, 29)], (2025, 11, 24, 9, 30)),
        # Sunday: the same Monday deadline.
        ((2025, 11, 23, 15, 0), [(2025, 11, 24, 9, 0)], (2025, 11, 24, 9, 30)),
        # Thanksgiving (a holiday of the fixture practice): counts from Friday 9 a.m.
        ((2025, 11, 27, 10, 0), [(2025, 11, 27, 10, 31), (2025, 11, 28, 9, 29)], (2025, 11, 28, 9, 30)),
        # 4:50 p.m. on Wednesday: ten minutes that day, twenty from Friday (Thursday is the holiday).
        ((2025, 11, 26, 16, 50), [(2025, 11, 26, 17, 21), (2025, 11, 28, 9, 19)], (2025, 11, 28, 9, 20)),
        # Exactly at opening: the clock starts at once.
        ((2025, 11, 19, 9, 0), [(2025, 11, 19, 9, 29)], (2025, 11, 19, 9, 30)),
    ],
)
def test_the_second_contact_counts_office_time_only(tmp_path: Path, escalated, not_yet, due) -> None:
    settings = local_settings(tmp_path)
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    escalation_id = escalate(outbox, settings)
    created_at(outbox, escalation_id, datetime(*escalated, tzinfo=NEW_YORK))
    dispatcher = Dispatcher(outbox, settings)
    for moment in not_yet:
        assert dispatcher.page_second_contacts(now=datetime(*moment, tzinfo=NEW_YORK)) == [], moment
    assert [e.id for e in dispatcher.page_second_contacts(now=datetime(*due, tzinfo=NEW_YORK))] == [escalation_id]
    assert [n.notifier for n in outbox.notifications() if n.kind == "second_contact"] == ["clinical-director"]
