"""Deletion on request removes a conversation from every view and export; retention purges
old conversations only, from the command line and on the app's own schedule."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from confidant.contact_vault import ContactDetails
from tests.review.conftest import Scratch, make_scratch, run_cli
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
        scratch, "SELECT actor, detail FROM audit_log WHERE action = 'delete' AND target = ?", "c-delete-me"
    )
    assert entry and entry[0][0] == "ada-admin" and "client's request" in entry[0][1]


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
    dry = run_cli(practice.env, "review.retention", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0] == "old-one" and "1 conversation(s) older than 90 days" in dry.stdout
    assert event_count(practice, "old-one") > 0

    result = run_cli(practice.env, "review.retention")
    assert result.returncode == 0, result.stderr
    assert "Purged 1 conversation(s)" in result.stdout
    assert event_count(practice, "old-one") == 0
    assert event_count(practice, "recent-one") > 0 and event_count(practice, "returning-one") > 0
    assert practice.vault.reveal("old-one") == [] and practice.outbox.escalations("old-one") == []
    audit = review_rows(practice, "SELECT actor, target FROM audit_log WHERE action = 'retention_purge'")
    assert audit == [("retention", "old-one")]


def test_the_app_purges_on_its_schedule(clinician: Client, scratch: Scratch) -> None:
    scratch.write("c-expired", [Say(f"expired {SECRET_WORDS}", faq="bot_privacy")], days=91)
    wait_for(lambda: event_count(scratch, "c-expired") == 0, timeout=20)
    assert event_count(scratch, "c-faq-parents") > 0 and event_count(scratch, "c-filler-29") > 0
    assert "c-expired" not in clinician.get("/conversations?topic=faq/bot_privacy").body
    assert "c-expired" not in json.dumps(json.loads(clinician.get("/export/json").body))
