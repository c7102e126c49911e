"""The SMS store: encrypted numbers, opt-outs, MessageSids seen, buttons offered; across restarts."""

from __future__ import annotations

from cryptography.fernet import Fernet

from confidant.channels.sms.store import SmsStore

PHONE = "+14155550142"


def test_the_number_is_kept_encrypted_and_read_back(tmp_path) -> None:
    key = Fernet.generate_key()
    store = SmsStore(tmp_path / "sms.sqlite3", key=key)
    store.remember_address("sms-abc", PHONE)
    store.remember_address("sms-abc", PHONE)
    assert store.address_for("sms-abc") == PHONE
    assert store.address_for("sms-unknown") is None
    store.close()
    raw = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert PHONE.encode() not in raw and b"4155550142" not in raw
    # With another key, the number cannot be read.
    assert SmsStore(tmp_path / "sms.sqlite3", key=Fernet.generate_key()).address_for("sms-abc") is None


def test_a_message_sid_is_processed_once_even_after_a_restart(tmp_path) -> None:
    key = Fernet.generate_key()
    store = SmsStore(tmp_path / "sms.sqlite3", key=key)
    assert store.first_sighting("SM1") is True
    assert store.first_sighting("SM1") is False
    store.close()
    restarted = SmsStore(tmp_path / "sms.sqlite3", key=key)
    assert restarted.first_sighting("SM1") is False
    assert restarted.first_sighting("SM2") is True


def test_opt_out_and_back_in_survive_a_restart(tmp_path) -> None:
    key = Fernet.generate_key()
    store = SmsStore(tmp_path / "sms.sqlite3", key=key)
    store.opt_out("sms-abc", "STOP")
    store.close()
    store = SmsStore(tmp_path / "sms.sqlite3", key=key)
    assert store.is_opted_out("sms-abc") and not store.is_opted_out("sms-other")
    assert store.opt_in("sms-abc") is True
    assert not store.is_opted_out("sms-abc")
    assert store.opt_in("sms-abc") is False


def test_the_last_buttons_offered_are_remembered_and_cleared(tmp_path) -> None:
    store = SmsStore(tmp_path / "sms.sqlite3", key=Fernet.generate_key())
    buttons = [{"title": "Yes", "payload": "/affirm"}]
    store.set_offered_buttons("sms-abc", buttons)
    assert store.offered_buttons("sms-abc") == buttons
    store.set_offered_buttons("sms-abc", None)
    assert store.offered_buttons("sms-abc") == []


def test_forget_removes_everything_about_a_conversation(tmp_path) -> None:
    store = SmsStore(tmp_path / "sms.sqlite3", key=Fernet.generate_key())
    store.remember_address("sms-abc", PHONE)
    store.opt_out("sms-abc", "STOP")
    store.set_offered_buttons("sms-abc", [{"title": "Yes", "payload": "/affirm"}])
    store.forget("sms-abc")
    assert store.address_for("sms-abc") is None and not store.is_opted_out("sms-abc")
    assert store.offered_buttons("sms-abc") == []
