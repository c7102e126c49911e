"""The queue's acknowledgement is the outbox's (it stops the second page); notes and resolutions."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from tests.review.conftest import Scratch, audit_ref
from tests.review.support import Client, Say, risk_of


def test_acknowledge_note_and_resolve(clinician: Client, scratch: Scratch) -> None:
    text = "I keep thinking I should just disappear for good"
    scratch.write(
        "c-queue",
        [
            Say(
                text,
                intent="risk_self_harm",
                risk=risk_of(text, "self_harm", "disappear for good"),
                slots={"escalated": True, "risk_category": "self_harm"},
            )
        ],
        days=0.2,
    )
    escalation_id = scratch.escalate("c-queue", "self_harm", days=0.2)
    assert escalation_id in [item.id for item in scratch.outbox.overdue_escalations(timedelta(minutes=1))]

    queue = clinician.get("/escalations?status=open")
    assert "conversation c-queue" in queue.body
    response = clinician.post(f"/escalations/{escalation_id}/acknowledge", {"back": "/conversations/c-queue"})
    assert response.status == 303 and response.header("Location") == "/conversations/c-queue"

    escalation = scratch.outbox.escalation(escalation_id)
    assert escalation.acknowledged_by == "cleo-clinician" and escalation.acknowledged_at
    assert escalation_id not in [item.id for item in scratch.outbox.overdue_escalations(timedelta(minutes=1))]
    page = clinician.get("/conversations/c-queue").body
    assert "Acknowledged by cleo-clinician at" in page

    note = "Rang the client, <b>safe</b> & seeing Dr Lee tomorrow"
    assert clinician.post(f"/escalations/{escalation_id}/notes", {"body": note}).status == 303
    page = clinician.get("/conversations/c-queue").body
    assert "Rang the client, &lt;b&gt;safe&lt;/b&gt; &amp; seeing Dr Lee tomorrow" in page
    assert clinician.post(f"/escalations/{escalation_id}/notes", {"body": "   "}).status == 400

    assert clinician.post(f"/escalations/{escalation_id}/resolve").status == 303
    assert "Resolved by cleo-clinician at" in clinician.get("/conversations/c-queue").body
    assert "conversation c-queue" not in clinician.get("/escalations").body
    assert "conversation c-queue" in clinician.get("/escalations?status=resolved").body

    with sqlite3.connect(scratch.directory / "review.sqlite3") as connection:
        actions = [
            row[0]
            for row in connection.execute(
                "SELECT action FROM audit_log WHERE target = ? AND actor = 'cleo-clinician' ORDER BY id",
                (audit_ref("c-queue"),),
            )
        ]
    assert {"acknowledge", "note", "resolve", "view_transcript"} <= set(actions)
    assert actions.index("acknowledge") < actions.index("note") < actions.index("resolve")


def test_unknown_escalation_is_not_found(clinician: Client) -> None:
    clinician.get("/escalations")
    assert clinician.post("/escalations/no-such-id/acknowledge").status == 404


def test_resolving_an_unacknowledged_escalation_acknowledges_it(clinician: Client, scratch: Scratch) -> None:
    scratch.write("c-resolve-direct", [Say("something worrying", intent="risk_abuse_disclosure")], days=0.1)
    escalation_id = scratch.escalate("c-resolve-direct", "abuse", days=0.1)
    clinician.get("/escalations")
    assert clinician.post(f"/escalations/{escalation_id}/resolve").status == 303
    assert scratch.outbox.escalation(escalation_id).acknowledged_by == "cleo-clinician"
