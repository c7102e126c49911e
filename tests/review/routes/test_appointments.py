"""The appointment queue: masked rows by status, details only on request, every view and change audited."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import List, Tuple

from confidant.contact_vault import ContactDetails
from tests.review.conftest import Scratch, audit_ref
from tests.review.support import Client, Say

NUMBER = "555-010-0147"
NAME = "Robin Example"
NOTE = "it's for my daughter, she is 15"


def sent_request(scratch: Scratch, sender: str) -> int:
    scratch.write(sender, [Say("I'd like to book a first appointment", intent="request_appointment")], days=0.1)
    request = scratch.vault.open_appointment(sender, "rest")
    scratch.vault.set_appointment_contact(sender, request, ContactDetails("phone", NUMBER))
    scratch.vault.update_appointment(sender, request, name=NAME, message_ok="no", when="after 5pm", note=NOTE)
    assert scratch.vault.submit_appointment(sender, request)
    return request


def audit_rows(scratch: Scratch, action: str) -> List[Tuple[str, str, str]]:
    with sqlite3.connect(scratch.directory / "review.sqlite3") as connection:
        return connection.execute(
            "SELECT actor, target, detail FROM audit_log WHERE action = ? ORDER BY id", (action,)
        ).fetchall()


def test_the_queue_shows_requests_masked_and_its_view_is_audited(clinician: Client, scratch: Scratch) -> None:
    request = sent_request(scratch, "c-appointment-queue")
    body = clinician.get("/appointments").body
    assert f'id="appointment-{request}"' in body and "phone ending 47" in body
    assert NUMBER not in body and NAME not in body and "daughter" not in body
    assert audit_rows(scratch, "view_appointments")[-1][:2] == ("cleo-clinician", "appointments")


def test_a_draft_the_client_is_still_writing_is_not_in_the_queue(clinician: Client, scratch: Scratch) -> None:
    scratch.write("c-appointment-draft", [Say("appointment", intent="request_appointment")], days=0.1)
    draft = scratch.vault.open_appointment("c-appointment-draft", "rest")
    scratch.vault.set_appointment_contact("c-appointment-draft", draft, ContactDetails("phone", NUMBER))
    assert f'id="appointment-{draft}"' not in clinician.get("/appointments?status=all").body
    assert clinician.post(f"/appointments/{draft}/reveal").status == 404


def test_details_are_shown_on_request_and_the_reveal_is_audited(clinician: Client, scratch: Scratch) -> None:
    request = sent_request(scratch, "c-appointment-reveal")
    assert clinician.get(f"/appointments/{request}/reveal").status in (404, 405), "a link cannot reveal"
    body = clinician.post(f"/appointments/{request}/reveal").body
    assert NUMBER in body and NAME in body and "daughter, she is 15" in body and "do not leave a message" in body
    actor, target, detail = audit_rows(scratch, "reveal_appointment")[-1]
    assert (actor, target, detail) == (
        "cleo-clinician",
        audit_ref("c-appointment-reveal"),
        f"appointment request {request}",
    )


def test_status_changes_move_the_request_between_views_and_are_audited(clinician: Client, scratch: Scratch) -> None:
    request = sent_request(scratch, "c-appointment-status")
    clinician.get("/appointments")
    response = clinician.post(f"/appointments/{request}/status", {"status": "contacted"})
    assert response.status == 303 and response.header("Location").endswith(f"#appointment-{request}")
    assert "Marked contacted." in clinician.get(response.header("Location")).body
    assert clinician.post(f"/appointments/{request}/status", {"status": "booked"}).status == 303
    assert f'id="appointment-{request}"' in clinician.get("/appointments?status=booked").body
    assert clinician.post(f"/appointments/{request}/status", {"status": "closed"}).status == 303
    assert f'id="appointment-{request}"' not in clinician.get("/appointments").body
    assert f'id="appointment-{request}"' in clinician.get("/appointments?status=closed").body
    changes = [row for row in audit_rows(scratch, "appointment_status") if row[1] == audit_ref("c-appointment-status")]
    assert [row[2] for row in changes] == [
        f"appointment request {request}: new -> contacted",
        f"appointment request {request}: contacted -> booked",
        f"appointment request {request}: booked -> closed",
    ]


def test_an_unknown_status_or_request_is_refused_and_nothing_changes(clinician: Client, scratch: Scratch) -> None:
    request = sent_request(scratch, "c-appointment-bad")
    clinician.get("/appointments")
    assert clinician.post(f"/appointments/{request}/status", {"status": "lost"}).status == 400
    assert clinician.post(f"/appointments/{request}/status").status == 400
    assert scratch.vault.appointment(request).status == "new"
    assert clinician.post("/appointments/999999/status", {"status": "booked"}).status == 404
    assert clinician.post("/appointments/not-a-number/reveal").status == 404


def test_the_queue_needs_an_account(anonymous: Client) -> None:
    response = anonymous.get("/appointments")
    assert response.status in (302, 303) and "/login" in response.header("Location")


def test_erasing_the_conversation_erases_its_request(admin: Client, scratch: Scratch) -> None:
    request = sent_request(scratch, "c-appointment-erase")
    assert admin.get("/conversations/c-appointment-erase/delete").status == 200
    assert admin.post("/conversations/c-appointment-erase/delete", {"reason": "client's request"}).status == 303
    assert scratch.vault.appointment(request) is None


def nav_count(body: str) -> int:
    """The new-appointment count the navigation shows on a page."""
    match = re.search(r'id="appointment-count" data-new="(\d+)"><span class="n">(\d+)</span>', body)
    assert match and match.group(1) == match.group(2), "the count and its data attribute agree"
    return int(match.group(1))


def test_every_page_counts_the_new_requests_in_the_navigation(clinician: Client, scratch: Scratch) -> None:
    new_now = len(scratch.vault.appointments(("new",)))
    for path in ("/conversations", "/escalations", "/appointments", "/insights"):
        assert nav_count(clinician.get(path).body) == new_now, path
    audited = len(audit_rows(scratch, "view_appointments"))
    request = sent_request(scratch, "c-appointment-count")
    draft = scratch.vault.open_appointment("c-appointment-count-draft", "rest")
    scratch.vault.set_appointment_contact("c-appointment-count-draft", draft, ContactDetails("phone", NUMBER))
    page = clinician.get("/conversations").body
    assert nav_count(page) == new_now + 1, "a sent request counts, a draft does not"
    assert 'class="nav-count has-new"' in page and '<span class="visually-hidden"> new</span>' in page
    assert json.loads(clinician.get("/escalations/counts").body)["new_appointments"] == new_now + 1
    assert NUMBER not in page and NAME not in page
    assert len(audit_rows(scratch, "view_appointments")) == audited, "the count is not a view of the queue"
    assert clinician.post(f"/appointments/{request}/status", {"status": "contacted"}).status == 303
    assert nav_count(clinician.get("/conversations").body) == new_now
    assert json.loads(clinician.get("/escalations/counts").body)["new_appointments"] == new_now
