"""The contact vault: call-back requests encrypted at rest, details kept with them, old rows carried over."""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
    raw = (tmp_path / "v.sqlite3").read_bytes()
    assert b"010-0199" not in raw and b"mom" not in raw and b"5pm" not in raw


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
