"""Client data on disk is readable by this account only (0700 directories, 0600 files), whatever the umask."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import threading
from pathlib import Path
from typing import Callable, Iterator, List, Tuple

import pytest
from cryptography.fernet import Fernet
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from confidant import private_files
from confidant.channels import web_sessions
from confidant.channels.sms.store import SmsStore
from confidant.contact_vault import ContactDetails, ContactVault
from confidant.notify.outbox import Outbox
from confidant.rasa_internals.tracker_store import DurableSQLTrackerStore
from confidant.store.event_spool import EventSpool
from review.storage.appdb import open_review_db


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def everything_under(root: Path) -> Iterator[Path]:
    yield root
    yield from root.rglob("*")


@pytest.fixture(params=[0o000, 0o022, 0o002], ids=["umask-000", "umask-022", "umask-002"])
def loose_umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def open_modes(root: Path) -> List[str]:
    """Paths under root that another account could read or enter."""
    found = []
    for path in everything_under(root):
        wanted = private_files.DIRECTORY_MODE if path.is_dir() else private_files.FILE_MODE
        if mode(path) & ~wanted:
            found.append(f"{path.relative_to(root.parent)} {mode(path):o}")
    return found


def test_every_store_creates_its_files_private(
    tmp_path: Path, loose_umask: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "var"  # made by the stores themselves, like the project's var/
    key = Fernet.generate_key()

    outbox = Outbox(data / "outbox.sqlite3")
    outbox.record_escalation("conv-1", "self_harm", "web", ["webhook"], lambda escalation: {"id": escalation.id})
    outbox.close()

    sms = SmsStore(data / "sms.sqlite3", key=key)
    sms.remember_address("sms-abc", "+15550100123")
    sms.close()

    vault = ContactVault(data / "contacts.sqlite3", key=key)
    vault.store("conv-1", ContactDetails("phone", "555 010 0123"))

    spool = EventSpool(data / "event-spool")
    spool.append("conv-1", [{"type_name": "user", "data": "{}"}])

    store = DurableSQLTrackerStore(
        Domain.empty(), url=f"sqlite:///{data / 'conversations.sqlite3'}", spool_dir=str(data / "spool-2")
    )
    tracker = DialogueStateTracker.from_events("conv-2", [ActionExecuted("action_listen"), UserUttered("hello")])
    asyncio.run(store.save(tracker))

    open_review_db(f"sqlite:///{data / 'review.sqlite3'}")

    monkeypatch.setattr(web_sessions, "DEFAULT_KEY_PATH", data / "web_session.key")
    monkeypatch.delenv(web_sessions.KEY_ENV_VAR, raising=False)
    assert len(web_sessions.load_session_key()) == 64

    made = {path.name for path in data.iterdir()}
    assert {"outbox.sqlite3", "sms.sqlite3", "contacts.sqlite3", "conversations.sqlite3", "review.sqlite3"} <= made
    assert any(path.suffix == ".jsonl" for path in (data / "event-spool").iterdir())
    assert open_modes(data) == []


def test_a_file_or_directory_found_open_is_tightened_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    monkeypatch.setattr(private_files, "DATA_DIR", data)
    database = data / "outbox.sqlite3"
    database.touch()
    os.chmod(database, 0o644)
    with caplog.at_level(logging.WARNING, logger="confidant.private_files"):
        Outbox(database).close()
    assert mode(database) == 0o600 and mode(data) == 0o700
    assert f"{database} was mode 644" in caplog.text and f"{data} was mode 755" in caplog.text


def test_a_directory_outside_var_that_it_did_not_make_is_left_alone(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # like /tmp: chmod-ing it would break the machine
    private_files.private_sqlite(shared / "sms.sqlite3")
    assert mode(shared) == 0o1777
    assert mode(shared / "sms.sqlite3") == 0o600


def test_the_startup_check_reports_and_fixes_the_data_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "var"
    (data / "event-spool").mkdir(parents=True)
    for directory in (data, data / "event-spool"):
        os.chmod(directory, 0o755)
    (data / "conversations.sqlite3").write_text("")
    (data / "event-spool" / "abc.jsonl").write_text("{}\n")
    for path in data.rglob("*.*"):
        os.chmod(path, 0o644)

    assert private_files.main(["--check", str(data)]) == 1
    report = capsys.readouterr().out
    assert report.count("too open:") == 4 and "conversations.sqlite3 is 644, should be 600" in report

    assert private_files.main([str(data)]) == 0
    assert capsys.readouterr().out.count("private data: fixed") == 4
    assert open_modes(data) == []
    assert private_files.main(["--check", str(data)]) == 0


def test_a_key_file_is_made_once_and_private(tmp_path: Path, loose_umask: int) -> None:
    path = tmp_path / "keys" / "contact.key"
    first = private_files.read_or_create_secret(path, Fernet.generate_key)
    second = private_files.read_or_create_secret(path, Fernet.generate_key)
    assert first == second and mode(path) == 0o600 and mode(path.parent) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["contact.key"]  # no temporary file left


def test_threads_making_the_contact_key_on_a_first_start_all_get_the_one_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from confidant import contact_vault

    monkeypatch.delenv(contact_vault.KEY_ENV_VAR, raising=False)
    for attempt in range(10):
        path = tmp_path / f"start{attempt}" / "contact.key"
        monkeypatch.setattr(contact_vault, "DEFAULT_KEY_PATH", path)
        keys, errors = keys_made_at_once(contact_vault.load_contact_key, threads=8)
        assert errors == [] and len(set(keys)) == 1 and keys[0] == path.read_bytes().strip()
        Fernet(keys[0])  # a whole key, never a half-written one
        assert [p.name for p in path.parent.iterdir()] == ["contact.key"]


def keys_made_at_once(load: Callable[[], bytes], threads: int) -> Tuple[List[bytes], List[BaseException]]:
    """`load()` in `threads` threads released together: the keys they got and the errors raised."""
    start = threading.Barrier(threads)
    keys: List[bytes] = []
    errors: List[BaseException] = []

    def one() -> None:
        start.wait()
        try:
            keys.append(load())
        except Exception as error:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(error)

    running = [threading.Thread(target=one) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return keys, errors
