"""Deletion on request removes a conversation from every view and export; retention purges
old conversations only, from the command line and on the app's own schedule."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from confidant.channels.sms.store import SmsStore
from confidant.contact_vault import ContactDetails
from confidant.store.event_spool import EventSpool
from tests.review.conftest import Scratch, audit_ref, make_scratch, run_cli
from tests.review.support import Client, Say, days_ago, rasa_events, risk_of, wait_for, write_events

SECRET_WORDS = "marmalade-elephant"


def event_count(scratch: Scratch, sender: str) -> int:
    path = scratch.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def review_rows(scratch: Scratch, query: str, *args: str) -> list:
    with sqlite3.connect(scratch.directory / "review.sqlite3") as connection:
        return connection.execute(query, args).fetchall()


def test_delete_a_conversation_everywhere(admin: Client, clinician: Client, scratch: Scratch) -> None:
    text = f"please delete everything I said about the {SECRET_WORDS}, I want to end it"
    scratch.write(
        "c-delete-me",
        [
            Say(
                text,
                intent="risk_self_harm",
                risk=risk_of(text, "self_harm", "want to end it"),
                slots={"escalated": True, "risk_category": "self_harm"},
            ),
            Say("07700 900999", intent="inform_contact"),
        ],
        days=0.3,
    )
    escalation_id = scratch.escalate("c-delete-me", "self_harm", days=0.3)
    scratch.vault.store("c-delete-me", ContactDetails("phone", "07700 900999"))
    admin.get("/conversations/c-delete-me")
    admin.post(f"/escalations/{escalation_id}/notes", {"body": "client asked for deletion by phone"})
    assert SECRET_WORDS in admin.get(f"/conversations?q={SECRET_WORDS}").body

    refused = admin.post("/conversations/c-delete-me/delete")
    assert refused.status == 409 and "nobody has acknowledged" in refused.body
    admin.post(f"/escalations/{escalation_id}/acknowledge")
    assert admin.get("/conversations/c-delete-me/delete").status == 200
    deleted = admin.post("/conversations/c-delete-me/delete", {"reason": "client's request"})
    assert deleted.status == 303

    assert event_count(scratch, "c-delete-me") == 0
    assert scratch.vault.reveal("c-delete-me") == []
    assert scratch.outbox.escalations("c-delete-me") == [] and scratch.outbox.escalation(escalation_id) is None
    assert review_rows(scratch, "SELECT * FROM notes WHERE conversation_id = ?", "c-delete-me") == []
    for client in (admin, clinician):
        assert client.get("/conversations/c-delete-me").status == 404
        assert client.get("/conversations/c-delete-me/export/json").status == 404
        assert "No conversations match" in client.get(f"/conversations?q={SECRET_WORDS}").body
        for path in (
            "/conversations?page=1",
            "/conversations?page=2",
            "/conversations?escalated=yes",
            "/escalations?status=all",
            "/export/json",
            "/export/csv",
            "/insights",
        ):
            body = client.get(path).body
            assert "c-delete-me" not in body and SECRET_WORDS not in body, path
    entry = review_rows(
        scratch, "SELECT actor, detail FROM audit_log WHERE action = 'delete' AND target = ?", audit_ref("c-delete-me")
    )
    assert entry and entry[0][0] == "ada-admin"
    assert "client's request" not in entry[0][1] and "; reason #" in entry[0][1]  # free text: fingerprint only


def _old_and_new(practice: Scratch) -> None:
    practice.write("old-one", [Say(f"an old {SECRET_WORDS} question", faq="tell_parents")], days=120)
    practice.escalate("old-one", "self_harm", days=120)
    practice.vault.store("old-one", ContactDetails("email", "old@example.org"))
    practice.write("recent-one", [Say("a recent question", faq="tell_parents")], days=10)
    # Started long ago, but the client came back last week: its last event is recent, so it stays.
    events = rasa_events([Say("first visit", faq="limit_court")], days_ago(200))
    events += rasa_events([Say("came back", faq="limit_court")], days_ago(7))
    write_events(practice.database_url, "returning-one", events)


def test_retention_command_purges_only_conversations_past_the_retention_period(tmp_path: Path) -> None:
    practice = make_scratch(tmp_path)
    _old_and_new(practice)
    dry = run_cli(practice.env, "review.cli.retention", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0] == "old-one" and "1 conversation(s) older than 90 days" in dry.stdout
    assert event_count(practice, "old-one") > 0

    result = run_cli(practice.env, "review.cli.retention")
    assert result.returncode == 0, result.stderr
    assert "Purged 1 conversation(s)" in result.stdout
    assert event_count(practice, "old-one") == 0
    assert event_count(practice, "recent-one") > 0 and event_count(practice, "returning-one") > 0
    assert practice.vault.reveal("old-one") == [] and practice.outbox.escalations("old-one") == []
    audit = review_rows(practice, "SELECT actor, target FROM audit_log WHERE action = 'retention_purge'")
    assert audit == [("retention", audit_ref("old-one"))]


def test_the_app_purges_on_its_schedule(admin: Client, scratch: Scratch) -> None:
    scratch.write("c-expired", [Say(f"expired {SECRET_WORDS}", faq="bot_privacy")], days=91)
    wait_for(lambda: event_count(scratch, "c-expired") == 0, timeout=20)
    assert event_count(scratch, "c-faq-parents") > 0 and event_count(scratch, "c-filler-29") > 0
    assert "c-expired" not in admin.get("/conversations?topic=faq/bot_privacy").body
    assert "c-expired" not in json.dumps(json.loads(admin.get("/export/json").body))


EVERY_COPY = "sms-5eed0f00d5eed0f00d5eed0f00d5eed0"  # an SMS conversation: its id is the number's pseudonym
EVERY_COPY_WORDS = "pomegranate-lighthouse"
EVERY_COPY_NUMBER = "+15550100777"
REASON = "Quentin Example phoned to ask"


def files_holding(directory: Path, needles: tuple) -> list:
    """Every file under `directory` whose raw bytes contain one of the needles (deleted rows included)."""
    found = []
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {needle}" for needle in needles if needle.encode("utf-8") in data]
    return found


def test_every_copy_of_a_conversation_is_erased(admin: Client, scratch: Scratch) -> None:
    text = f"my {EVERY_COPY_WORDS} secret, text me at {EVERY_COPY_NUMBER}"
    scratch.write(EVERY_COPY, [Say(text, intent="risk_self_harm", risk=risk_of(text, "self_harm", "secret"))], 0.2)
    escalation_id = scratch.escalate(EVERY_COPY, "self_harm", days=0.2, channel="twilio")
    scratch.vault.store(EVERY_COPY, ContactDetails("phone", EVERY_COPY_NUMBER))
    key = scratch.env["CONFIDANT_CONTACT_KEY"].encode()
    sms = SmsStore(scratch.directory / "sms.sqlite3", key=key)
    sms.remember_address(EVERY_COPY, EVERY_COPY_NUMBER)
    sms.opt_out(EVERY_COPY, "STOP")
    sms.set_offered_buttons(EVERY_COPY, [{"title": f"about {EVERY_COPY_WORDS}", "payload": "/x"}])
    sms.close()
    spool = EventSpool(scratch.directory / "event-spool")
    spool.append(EVERY_COPY, [{"type_name": "user", "data": json.dumps({"text": text})}])

    assert EVERY_COPY_WORDS in admin.get(f"/conversations/{EVERY_COPY}").body
    admin.get(f"/conversations?q={EVERY_COPY_WORDS}")  # a search: audited, never verbatim
    admin.post(f"/escalations/{escalation_id}/notes", {"body": f"called back about the {EVERY_COPY_WORDS}"})
    assert admin.post(f"/escalations/{escalation_id}/acknowledge").status == 303
    assert admin.post(f"/escalations/{escalation_id}/resolve", {"confirm": "yes"}).status == 303
    assert admin.get(f"/conversations/{EVERY_COPY}/export/json").status == 200
    assert EVERY_COPY_WORDS in admin.get(f"/export/json?q={EVERY_COPY_WORDS}").body
    needles = (EVERY_COPY, EVERY_COPY_WORDS, EVERY_COPY_NUMBER, REASON)
    assert files_holding(scratch.directory, needles)  # the copies are there before

    assert admin.post(f"/conversations/{EVERY_COPY}/delete", {"reason": REASON}).status == 303

    assert files_holding(scratch.directory, needles) == []
    assert not (scratch.directory / "event-spool" / f"{spool._digest(EVERY_COPY)}.jsonl").exists()
    [(detail,)] = review_rows(
        scratch, "SELECT detail FROM audit_log WHERE action = 'delete' AND target = ?", audit_ref(EVERY_COPY)
    )
    assert "1 spooled events" in detail and "SMS number store" in detail
    assert "had left in 2 export(s)" in detail  # the single and the bulk export recorded what left
    # The audit log still shows who did what to it, under its keyed reference only.
    actions = [
        row[0] for row in review_rows(scratch, "SELECT action FROM audit_log WHERE target = ?", audit_ref(EVERY_COPY))
    ]
    assert {"view_transcript", "note", "resolve", "export", "delete"} <= set(actions)
    assert admin.get(f"/conversations/{EVERY_COPY}").status == 404


def test_retention_reaches_copies_whose_events_are_gone(tmp_path: Path) -> None:
    practice = make_scratch(tmp_path)
    _old_and_new(practice)
    old_sms = "sms-0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0"
    sms = SmsStore(tmp_path / "sms.sqlite3", key=practice.env["CONFIDANT_CONTACT_KEY"].encode())
    sms.remember_address(old_sms, EVERY_COPY_NUMBER)
    sms._connection.execute("UPDATE contacts SET first_seen = first_seen - 200 * 86400")
    sms.close()
    spool = EventSpool(tmp_path / "event-spool")
    spool.append("web-spooled-long-ago", [{"type_name": "user", "data": "{}"}])
    old = (datetime.now(timezone.utc) - timedelta(days=150)).timestamp()
    os.utime(spool.read_for("web-spooled-long-ago")[0], (old, old))

    result = run_cli(practice.env, "review.cli.retention")
    assert result.returncode == 0, result.stderr
    assert "Purged 3 conversation(s)" in result.stdout
    assert (
        SmsStore(tmp_path / "sms.sqlite3", key=practice.env["CONFIDANT_CONTACT_KEY"].encode()).address_for(old_sms)
        is None
    )
    assert not spool.has("web-spooled-long-ago")
    assert event_count(practice, "recent-one") > 0


def _backdate_appointment(practice: Scratch, request: int, hours: float) -> None:
    moment = (datetime.now(timezone.utc) - timedelta(hours=hours)).isoformat()
    with sqlite3.connect(practice.vault.path) as connection:
        connection.execute(
            "UPDATE appointment_requests SET created_at = ?, updated_at = ? WHERE id = ?", (moment, moment, request)
        )


def test_retention_deletes_appointment_drafts_the_client_never_sent_and_audits_only_a_count(tmp_path: Path) -> None:
    practice = make_scratch(tmp_path)
    vault = practice.vault
    abandoned = vault.open_appointment("c-left-the-form", "rest")
    vault.set_appointment_contact("c-left-the-form", abandoned, ContactDetails("phone", "555-010-0166"))
    vault.update_appointment("c-left-the-form", abandoned, name="Avery Example")
    _backdate_appointment(practice, abandoned, hours=25)
    sent = vault.open_appointment("c-sent-it", "rest")
    vault.set_appointment_contact("c-sent-it", sent, ContactDetails("email", "sent@example.org"))
    assert vault.submit_appointment("c-sent-it", sent)
    _backdate_appointment(practice, sent, hours=30)
    writing = vault.open_appointment("c-still-writing", "rest")
    _backdate_appointment(practice, writing, hours=23)

    dry = run_cli(practice.env, "review.cli.retention", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "1 unsent appointment draft(s) older than 24 hours would be deleted" in dry.stdout
    assert vault.appointment(abandoned) is not None

    result = run_cli(practice.env, "review.cli.retention")
    assert result.returncode == 0, result.stderr
    assert "Deleted 1 unsent appointment draft(s) older than 24 hours" in result.stdout
    assert vault.appointment(abandoned) is None
    assert vault.appointment(sent) is not None and vault.appointment(sent).status == "new"
    assert vault.appointment(writing) is not None
    audit = review_rows(practice, "SELECT actor, target, detail FROM audit_log WHERE action = 'retention_purge'")
    assert audit == [("retention", "appointments", "1 unsent appointment draft(s) older than 24 hours")]

    again = run_cli(practice.env, "review.cli.retention")
    assert "Deleted 0 unsent appointment draft(s)" in again.stdout
    assert len(review_rows(practice, "SELECT id FROM audit_log WHERE action = 'retention_purge'")) == 1, (
        "a run that deleted nothing adds nothing to the audit log"
    )
