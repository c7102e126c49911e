"""The contact vault: call-back requests encrypted at rest, details kept with them, old rows carried over."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from confidant.contact_vault import ContactDetails, ContactVault

NUMBER = "555-010-0199"


def test_a_request_keeps_contact_and_details_encrypted(tmp_path: Path) -> None:
    vault = ContactVault(tmp_path / "v.sqlite3", Fernet.generate_key())
    request = vault.open_request("conv-1")
    vault.update_details("conv-1", request, how="text_only", note="my mom checks my calls")
    assert vault.reveal("conv-1") == []  # no contact yet: nothing to call
    vault.set_contact("conv-1", request, ContactDetails("phone", NUMBER))
    vault.update_details("conv-1", request, when="after 5pm")
    [revealed] = vault.reveal("conv-1")
    assert (revealed.value, revealed.how, revealed.when, revealed.notes) == (
        NUMBER,
        "text_only",
        "after 5pm",
        ("my mom checks my calls",),
    )
    # Whole phrases: a short one ("mom") turns up by chance in the ciphertext's base64 now and then.
    raw = (tmp_path / "v.sqlite3").read_bytes()
    for plain in (NUMBER, "my mom checks my calls", "after 5pm", "text_only"):
        assert plain.encode() not in raw, plain


def test_a_request_of_another_conversation_cannot_be_changed(tmp_path: Path) -> None:
    vault = ContactVault(tmp_path / "v.sqlite3", Fernet.generate_key())
    request = vault.store("conv-1", ContactDetails("phone", NUMBER))
    assert not vault.set_contact("conv-2", request, None)
    assert not vault.delete_request("conv-2", request)
    assert vault.reveal("conv-1")[0].value == NUMBER
    assert vault.delete_request("conv-1", request) and vault.reveal("conv-1") == []


def test_rows_of_the_first_schema_are_carried_over(tmp_path: Path) -> None:
    key = Fernet.generate_key()
    path = tmp_path / "v.sqlite3"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE contacts (id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL,"
        " kind TEXT NOT NULL, masked TEXT NOT NULL, secret BLOB NOT NULL, created_at TEXT NOT NULL)"
    )
    old.execute(
        "INSERT INTO contacts (conversation_id, kind, masked, secret, created_at) VALUES (?, ?, ?, ?, ?)",
        ("conv-old", "email", "o***@example.org", Fernet(key).encrypt(b"old@example.org"), "2025-01-01T00:00:00"),
    )
    old.commit()
    old.close()
    vault = ContactVault(path, key)
    assert vault.reveal("conv-old") == [ContactDetails("email", "old@example.org")]
    assert ContactVault(path, key).delete_conversation("conv-old") == 1


def test_an_appointment_request_is_encrypted_and_a_draft_until_sent(tmp_path: Path) -> None:
    vault = ContactVault(tmp_path / "v.sqlite3", Fernet.generate_key())
    request = vault.open_appointment("conv-1", "sms")
    vault.update_appointment("conv-1", request, name="Sam Example", when="after 5pm", message_ok="no")
    assert not vault.submit_appointment("conv-1", request), "no contact yet: nothing the practice could use"
    vault.set_appointment_contact("conv-1", request, ContactDetails("phone", NUMBER))
    vault.update_appointment("conv-1", request, note="it's for my son")
    assert vault.appointments() == [], "a draft is not in the practice's queue"
    assert vault.submit_appointment("conv-1", request)
    [listed] = vault.appointments()
    assert (listed.status, listed.masked, listed.channel, listed.contact, listed.name) == (
        "new",
        "phone ending 99",
        "sms",
        None,
        None,
    ), "the queue is masked: nothing decrypted"
    stored = vault.appointment(request)
    assert (stored.contact.value, stored.name, stored.when, stored.message_ok, stored.note) == (
        NUMBER,
        "Sam Example",
        "after 5pm",
        "no",
        "it's for my son",
    )
    raw = (tmp_path / "v.sqlite3").read_bytes()
    assert b"010-0199" not in raw and b"Sam" not in raw and b"5pm" not in raw and b"son" not in raw


def test_an_appointment_request_moves_through_the_practice_statuses_only(tmp_path: Path) -> None:
    vault = ContactVault(tmp_path / "v.sqlite3", Fernet.generate_key())
    request = vault.open_appointment("conv-1", "rest")
    assert not vault.set_appointment_status(request, "booked"), "a draft has no status for the practice"
    vault.set_appointment_contact("conv-1", request, ContactDetails("email", "sam@example.org"))
    vault.submit_appointment("conv-1", request)
    assert vault.set_appointment_status(request, "booked")
    assert vault.appointments(("booked",))[0].id == request
    with pytest.raises(ValueError):
        vault.set_appointment_status(request, "lost")
    assert not vault.delete_appointment("conv-1", request), "a sent request is the practice's, not withdrawn"


def test_a_stopped_draft_is_deleted_and_erasure_reaches_every_request(tmp_path: Path) -> None:
    vault = ContactVault(tmp_path / "v.sqlite3", Fernet.generate_key())
    draft = vault.open_appointment("conv-1", "rest")
    assert not vault.delete_appointment("conv-2", draft), "another conversation's draft is not touched"
    assert vault.delete_appointment("conv-1", draft)
    assert vault.appointment(draft) is None
    sent = vault.open_appointment("conv-1", "rest")
    vault.set_appointment_contact("conv-1", sent, ContactDetails("phone", NUMBER))
    vault.submit_appointment("conv-1", sent)
    vault.store("conv-1", ContactDetails("phone", NUMBER))
    assert vault.delete_conversation("conv-1") == 2
    assert vault.appointments() == [] and vault.reveal("conv-1") == []
