"""Phone numbers and emails are masked in the list, transcripts and exports; reveals are audited."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from review.masking import find_contacts, mask_text
from review.storage.tracker_events import Evidence
from review.web.segments import segments
from tests.review.conftest import CALLBACK_NUMBER, Scratch, audit_ref
from tests.review.support import Client

SECRETS = ("jo.bloggs@example.org", "+44 7700 900456", "7700 900456", CALLBACK_NUMBER)


def audit_rows(scratch: Scratch, action: str, target: str) -> list:
    with sqlite3.connect(scratch.directory / "review.sqlite3") as connection:
        return connection.execute(
            "SELECT actor, detail FROM audit_log WHERE action = ? AND target = ? ORDER BY id",
            (action, audit_ref(target)),
        ).fetchall()


def assert_masked(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_masking_finds_phones_and_emails_and_spares_the_rest() -> None:
    text = "mail jo.bloggs@example.org or ring +44 7700 900456 / (555) 010-0199; it's 2 of 9, call 988, age 17"
    kinds = [(span.kind, span.value) for span in find_contacts(text)]
    assert kinds == [("email", "jo.bloggs@example.org"), ("phone", "+44 7700 900456"), ("phone", "(555) 010-0199")]
    masked = mask_text(text)
    assert "[j***@example.org]" in masked and "[phone ending 56]" in masked and "988" in masked
    assert mask_text("call us on (555) 010-0100", keep=["(555) 010-0100"]) == "call us on (555) 010-0100"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("call 555/867/5309 tonight", "call [phone ending 09] tonight"),
        ("ring 555-010-0199 x204", "ring [phone ending 99]"),
        ("office (555) 010 0199 ext. 12 please", "office [phone ending 99] please"),
        ("desk 555 010 0199, extension 7", "desk [phone ending 99]"),
        ("phone 555\u2011010\u20110199", "phone [phone ending 99]"),  # non-breaking hyphens
        ("mobile 07700\u2013900\u2013123", "mobile [phone ending 23]"),  # en dashes
        ("cell 555\u2212010\u22120199 ok", "cell [phone ending 99] ok"),  # minus signs
        ("write to jo(at)example.org", "write to [j***@example.org]"),
        ("jo [at] example [dot] org", "[j***@example.org]"),
        ("jo.bloggs at example.org please", "[j***@example.org] please"),
        ("name(at)host", "[n***@host]"),
        ("I am at home, 3/4 of the time, since 12/05/2024 or 2024-05-12", None),
    ],
)
def test_masking_finds_numbers_and_addresses_written_other_ways(text: str, masked: str) -> None:
    assert mask_text(text) == (masked or text)


def test_segments_mark_evidence_and_mask_contacts_by_offsets() -> None:
    text = "<b>I want to die</b> call 07700 900123"
    start = text.index("want to die")
    evidence = [Evidence(start, start + len("want to die"), "want to die", "p")]
    pieces = segments(text, evidence, find_contacts(text))
    assert [(piece.text, piece.evidence, piece.masked) for piece in pieces] == [
        ("<b>I ", False, False),
        ("want to die", True, False),
        ("</b> call ", False, False),
        ("[phone ending 23]", False, True),
    ]
    shown = segments(text, evidence, find_contacts(text), reveal=True)
    assert "".join(piece.text for piece in shown) == text


def test_list_and_transcript_are_masked(clinician: Client) -> None:
    listing = clinician.get("/conversations").body
    assert "[j***@example.org]" in listing
    assert_masked(listing)
    transcript = clinician.get("/conversations/c-contact").body
    assert "[j***@example.org]" in transcript and "[phone ending 56]" in transcript
    assert_masked(transcript)
    risk = clinician.get("/conversations/c-risk-open").body
    assert "[phone ending 23]" in risk
    assert_masked(risk)


def test_exports_are_masked(clinician: Client, admin: Client) -> None:
    for client, path in (
        (clinician, "/conversations/c-contact/export/json"),
        (clinician, "/conversations/c-contact/export/csv"),
        (admin, "/export/json"),  # bulk exports: admins only
        (admin, "/export/csv"),
        (clinician, "/conversations/c-risk-open/export/csv"),
    ):
        response = client.get(path)
        assert response.status == 200, path
        assert_masked(response.body)
    document = json.loads(clinician.get("/conversations/c-contact/export/json").body)
    assert document["conversations"][0]["contact_details"] == "masked"


def test_reveal_shows_contacts_and_is_audited(clinician: Client, scratch: Scratch) -> None:
    before = len(audit_rows(scratch, "reveal", "c-contact"))
    clinician.get("/conversations/c-contact")
    page = clinician.post("/conversations/c-contact/reveal")
    assert page.status == 200
    assert "jo.bloggs@example.org" in page.body and "+44 7700 900456" in page.body
    assert "Cache-Control" in page.headers and page.header("Cache-Control") == "no-store"
    rows = audit_rows(scratch, "reveal", "c-contact")
    assert len(rows) == before + 1 and rows[-1][0] == "cleo-clinician"
    assert_masked(clinician.get("/conversations/c-contact").body)


def test_revealed_export_is_audited_twice(clinician: Client, scratch: Scratch) -> None:
    clinician.get("/conversations/c-contact")
    response = clinician.post("/conversations/c-contact/export/json")
    assert response.status == 200 and "attachment" in response.header("Content-Disposition")
    assert "jo.bloggs@example.org" in response.body
    assert json.loads(response.body)["conversations"][0]["contact_details"] == "shown"
    assert "contact details in a json export" in audit_rows(scratch, "reveal", "c-contact")[-1][1]
    assert "shown" in audit_rows(scratch, "export", "c-contact")[-1][1]


def test_reveal_of_call_back_details_is_audited(clinician: Client, scratch: Scratch) -> None:
    clinician.get("/conversations/c-risk-open")
    page = clinician.post("/conversations/c-risk-open/callback")
    assert page.status == 200 and f"phone: <strong>{CALLBACK_NUMBER}</strong>" in page.body
    # With what the client said about being reached, for the person who calls.
    assert "text only (do not call)" in page.body and "after 5pm" in page.body
    assert "my mom checks my calls" in page.body
    actor, detail = audit_rows(scratch, "reveal_callback", "c-risk-open")[-1]
    assert actor == "cleo-clinician" and "1 shown" in detail
    assert CALLBACK_NUMBER not in detail


def test_csv_export_cannot_smuggle_formulas() -> None:
    from review.web.exports import safe_cell

    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+1 555") == "'+1 555" and safe_cell("plain") == "plain"


def test_csv_export_has_one_row_per_message(clinician: Client) -> None:
    rows = list(csv.DictReader(io.StringIO(clinician.get("/conversations/c-risk-open/export/csv").body)))
    clients = [row for row in rows if row["who"] == "client"]
    assert len(clients) == 3
    assert clients[1]["risk_category"] == "self_harm" and clients[1]["risk_evidence"] == "end my life"
    assert clients[0]["topic"] == "faq/what_is_confidentiality"
