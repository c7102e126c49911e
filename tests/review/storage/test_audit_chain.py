"""The audit log is tamper-evident (a keyed hash chain checked by `python -m review.storage.audit verify`) and
holds no client identifier or typed text in clear."""

from __future__ import annotations

import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from review.storage import audit
from review.storage.appdb import open_review_db
from review.web.filters import ConversationFilter
from tests.review.conftest import run_cli

KEY = b"audit-chain-test-key-0123456789abcdef"


@pytest.fixture
def log(tmp_path: Path) -> audit.AuditLog:
    return audit.AuditLog(open_review_db(f"sqlite:///{tmp_path / 'review.sqlite3'}"), key=KEY)


def write_some(log: audit.AuditLog, count: int = 6) -> None:
    for number in range(count):
        log.record("dr-lee", audit.VIEW_TRANSCRIPT, f"web-{number}", "transcript", "203.0.113.4")


def tamper(tmp_path: Path, statement: str) -> None:
    with sqlite3.connect(tmp_path / "review.sqlite3") as connection:
        connection.execute(statement)


def test_an_untouched_log_verifies(log: audit.AuditLog) -> None:
    write_some(log)
    result = audit.verify(log.engine, KEY)
    assert result.ok and result.entries == 6 and result.before_chain == 0


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE audit_log SET actor = 'someone-else' WHERE id = 3", "entry 3: its content or hash was changed"),
        ("UPDATE audit_log SET detail = 'nothing to see' WHERE id = 2", "entry 2: its content or hash was changed"),
        ("DELETE FROM audit_log WHERE id = 4", "entry 5: does not follow the entry before it"),
        ("DELETE FROM audit_log WHERE id = 6", "the newest entries are missing"),
        (
            "INSERT INTO audit_log (at, actor, action, target, detail, address, prev_hash, entry_hash)"
            " SELECT at, actor, action, target, detail, address, prev_hash, entry_hash FROM audit_log WHERE id = 2",
            "entry 7: does not follow the entry before it",
        ),
    ],
)
def test_a_changed_removed_or_inserted_entry_is_found(
    log: audit.AuditLog, tmp_path: Path, statement: str, problem: str
) -> None:
    write_some(log)
    tamper(tmp_path, statement)
    result = audit.verify(log.engine, KEY)
    assert not result.ok and result.problems[0].startswith(problem), result.problems


def test_a_hash_recomputed_without_the_key_does_not_pass(log: audit.AuditLog, tmp_path: Path) -> None:
    write_some(log)
    forged = audit.entry_mac(
        b"a guessed key", "", 1, {"at": "x", "actor": "x", "action": "x", "target": "", "detail": "", "address": ""}
    )
    tamper(tmp_path, f"UPDATE audit_log SET actor = 'x', entry_hash = '{forged}' WHERE id = 1")
    assert not audit.verify(log.engine, KEY).ok


def test_parallel_appends_keep_one_chain(log: audit.AuditLog) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: log.record("dr-lee", audit.NOTE, f"web-{n}", f"note {n}"), range(40)))
    result = audit.verify(log.engine, KEY)
    assert result.ok and result.entries == 40, result.problems


def test_the_verify_command(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CONFIDANT_REVIEW_DB_URL": f"sqlite:///{tmp_path / 'review.sqlite3'}",
        "CONFIDANT_REVIEW_AUDIT_KEY": KEY.decode(),
    }
    write_some(audit.AuditLog(open_review_db(env["CONFIDANT_REVIEW_DB_URL"]), key=KEY))
    intact = run_cli(env, "review.storage.audit", "verify")
    assert intact.returncode == 0 and "audit log intact: 6 entries" in intact.stdout
    tamper(tmp_path, "UPDATE audit_log SET address = '198.51.100.1' WHERE id = 5")
    broken = run_cli(env, "review.storage.audit", "verify")
    assert broken.returncode == 1 and "TAMPERED entry 5" in broken.stdout


def test_no_conversation_id_search_term_or_reason_in_clear(
    log: audit.AuditLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(audit.AUDIT_KEY_ENV_VAR, KEY.decode())
    audit._process_key.cache_clear()
    log.record("dr-lee", audit.VIEW_TRANSCRIPT, "sms-abc123", "transcript")
    log.record("dr-lee", audit.DELETE, "sms-abc123", f"reason {log.fingerprint('Jane Roe asked')}")
    log.record(
        "dr-lee", audit.VIEW_LIST, "conversations", ConversationFilter(text="Jane Roe", channel="twilio").describe()
    )
    log.record("dr-lee", audit.EXPORT, "conversations", "json", exported=["sms-abc123", "web-xyz"])
    raw = (tmp_path / "review.sqlite3").read_bytes()
    for secret in (b"sms-abc123", b"web-xyz", b"Jane Roe"):
        assert secret not in raw
    entries, _ = log.entries(target="sms-abc123")  # an admin can still look a conversation up by its id
    assert [entry.action for entry in entries] == [audit.DELETE, audit.VIEW_TRANSCRIPT]
    assert len(log.exports_of("web-xyz")) == 1
    # The same words always give the same fingerprint: "who searched for X?" can be answered with the key.
    assert log.fingerprint("jane  ROE") == log.fingerprint("Jane Roe")
