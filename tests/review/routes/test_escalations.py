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
    assert 'href="/conversations/c-queue"' in queue.body
    response = clinician.post(f"/escalations/{escalation_id}/acknowledge", {"back": "/conversations/c-queue"})
    # Back to the same escalation, with a confirmation.
    assert response.status == 303
    assert response.header("Location") == f"/conversations/c-queue?done=acknowledged#escalation-{escalation_id}"
    assert "Acknowledged. The second contact will not be paged." in clinician.get(response.header("Location")).body

    escalation = scratch.outbox.escalation(escalation_id)
    assert escalation.acknowledged_by == "cleo-clinician" and escalation.acknowledged_at
    assert escalation_id not in [item.id for item in scratch.outbox.overdue_escalations(timedelta(minutes=1))]
    page = clinician.get("/conversations/c-queue").body
    assert "Acknowledged by cleo-clinician after" in page

    note = "Rang the client, <b>safe</b> & seeing Dr Lee tomorrow"
    assert clinician.post(f"/escalations/{escalation_id}/notes", {"body": note}).status == 303
    page = clinician.get("/conversations/c-queue").body
    assert "Rang the client, &lt;b&gt;safe&lt;/b&gt; &amp; seeing Dr Lee tomorrow" in page
    assert clinician.post(f"/escalations/{escalation_id}/notes", {"body": "   "}).status == 400

    # One click is not enough: the confirmation is part of the form.
    assert clinician.post(f"/escalations/{escalation_id}/resolve").status == 400
    assert clinician.post(f"/escalations/{escalation_id}/resolve", {"confirm": "yes"}).status == 303
    assert "resolved by cleo-clinician" in clinician.get("/conversations/c-queue").body
    assert 'href="/conversations/c-queue"' not in clinician.get("/escalations").body
    assert 'href="/conversations/c-queue"' in clinician.get("/escalations?status=resolved").body

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


def test_an_unacknowledged_escalation_is_resolved_only_with_a_reason(clinician: Client, scratch: Scratch) -> None:
    scratch.write("c-resolve-direct", [Say("something worrying", intent="risk_abuse_disclosure")], days=0.1)
    escalation_id = scratch.escalate("c-resolve-direct", "abuse", days=0.1)
    clinician.get("/escalations")
    refused = clinician.post(f"/escalations/{escalation_id}/resolve", {"confirm": "yes"})
    assert refused.status == 409 and "Acknowledge it first" in refused.body
    assert scratch.outbox.escalation(escalation_id).acknowledged_at is None
    reason = "Duplicate of the alert from this morning"
    assert clinician.post(f"/escalations/{escalation_id}/resolve", {"confirm": "yes", "reason": reason}).status == 303
    # Resolving also acknowledges (nobody else needs paging), and the reason is kept as a note.
    assert scratch.outbox.escalation(escalation_id).acknowledged_by == "cleo-clinician"
    page = clinician.get("/conversations/c-resolve-direct").body
    assert f"Resolved without acknowledging: {reason}" in page


def test_a_resolved_escalation_can_be_reopened(clinician: Client, scratch: Scratch) -> None:
    scratch.write("c-reopen", [Say("something worrying again", intent="risk_abuse_disclosure")], days=0.1)
    escalation_id = scratch.escalate("c-reopen", "abuse", days=0.1)
    clinician.get("/escalations")
    clinician.post(f"/escalations/{escalation_id}/acknowledge")
    assert clinician.post(f"/escalations/{escalation_id}/resolve", {"confirm": "yes"}).status == 303
    resolved = clinician.get("/escalations?status=resolved").body
    assert f'action="/escalations/{escalation_id}/reopen"' in resolved
    response = clinician.post(
        f"/escalations/{escalation_id}/reopen", {"reason": "client wrote again", "back": "/escalations"}
    )
    assert response.status == 303 and "done=reopened" in response.header("Location")
    assert 'href="/conversations/c-reopen"' in clinician.get("/escalations?status=acknowledged").body
    assert "Reopened: client wrote again" in clinician.get("/conversations/c-reopen").body
    with sqlite3.connect(scratch.directory / "review.sqlite3") as connection:
        actions = [row[0] for row in connection.execute("SELECT action FROM audit_log ORDER BY id")]
    assert "reopen" in actions
