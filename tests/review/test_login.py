"""Signing in: argon2 hashes, audited successes and failures, lockout after five failures."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta, timezone

from review.account_store import LOCKOUT, MAX_FAILURES, AccountStore
from review.appdb import open_review_db
from tests.review.conftest import CLINICIAN, LOCKOUT_TARGET, Scratch, run_cli
from tests.review.support import Client


def audit(scratch: Scratch, actor: str) -> list:
    with sqlite3.connect(scratch.directory / "review.sqlite3") as connection:
        return [
            row[0] for row in connection.execute("SELECT action FROM audit_log WHERE actor = ? ORDER BY id", (actor,))
        ]


def test_passwords_are_stored_as_argon2id(scratch: Scratch) -> None:
    with sqlite3.connect(scratch.directory / "review.sqlite3") as connection:
        hashes = [row[0] for row in connection.execute("SELECT password_hash FROM accounts")]
    assert hashes and all(value.startswith("$argon2id$") for value in hashes)
    assert not any(CLINICIAN[1] in value for value in hashes)


def test_login_success_and_failure_are_audited(review_server, scratch: Scratch) -> None:
    client = Client(review_server.url)
    assert client.login(CLINICIAN[0], "wrong password here").status == 401
    assert client.login(*CLINICIAN).status == 303
    actions = [action for action in audit(scratch, CLINICIAN[0]) if action.startswith("login")]
    assert actions[-2:] == ["login_failed", "login"]
    assert client.get("/conversations").status == 200
    assert client.post("/logout").status == 303
    assert client.get("/conversations").status == 303
    assert audit(scratch, CLINICIAN[0])[-1] == "logout"


def test_five_failures_lock_the_name_for_fifteen_minutes(review_server, scratch: Scratch) -> None:
    client = Client(review_server.url)
    for _ in range(MAX_FAILURES - 1):
        assert client.login(LOCKOUT_TARGET[0], "not the password").status == 401
    fifth = client.login(LOCKOUT_TARGET[0], "not the password")
    assert fifth.status == 429 and "Too many failed sign-ins" in fifth.body
    right_password = client.login(*LOCKOUT_TARGET)
    assert right_password.status == 429
    assert "review_session" not in right_password.header("Set-Cookie")
    assert audit(scratch, LOCKOUT_TARGET[0])[-1] == "login_locked"
    # An unknown name locks the same way, so a lock does not tell which names exist.
    for _ in range(MAX_FAILURES):
        client.login("nobody-here", "guess")
    assert client.login("nobody-here", "guess").status == 429


def test_the_lock_ends_after_fifteen_minutes(scratch: Scratch) -> None:
    store = AccountStore(open_review_db(scratch.env["CONFIDANT_REVIEW_DB_URL"]))
    store.create("tess-timer", "clinician", "timer password 1234")
    now = datetime.now(timezone.utc)
    for _ in range(MAX_FAILURES):
        store.authenticate("tess-timer", "wrong", now=now)
    assert not store.authenticate("tess-timer", "timer password 1234", now=now + LOCKOUT - timedelta(seconds=1)).ok
    assert store.authenticate("tess-timer", "timer password 1234", now=now + LOCKOUT + timedelta(seconds=1)).ok


def test_accounts_cli_removes_accounts_and_their_sessions(review_server, scratch: Scratch) -> None:
    created = run_cli(
        scratch.env, "review.accounts", "create", "rita-removed", "--role", "clinician", stdin="removable password 99\n"
    )
    assert created.returncode == 0, created.stderr
    client = Client(review_server.url)
    assert client.login("rita-removed", "removable password 99").status == 303
    assert client.get("/conversations").status == 200
    changed = run_cli(scratch.env, "review.accounts", "password", "rita-removed", stdin="a new password 123\n")
    assert changed.returncode == 0, changed.stderr
    assert client.get("/conversations").status == 303  # a new password ends the old sessions
    assert client.login("rita-removed", "a new password 123").status == 303
    removed = run_cli(scratch.env, "review.accounts", "remove", "rita-removed")
    assert removed.returncode == 0, removed.stderr
    assert client.get("/conversations").status == 303
    assert "account_removed" in [row for row in audit(scratch, "(command line)")]
    short = run_cli(scratch.env, "review.accounts", "create", "sam", "--role", "clinician", stdin="short\n")
    assert short.returncode != 0 and "at least 12 characters" in short.stderr
    bad_role = run_cli(scratch.env, "review.accounts", "create", "sam", "--role", "owner", stdin="long enough pw 1\n")
    assert bad_role.returncode != 0


def test_login_redirects_only_to_local_paths(review_server) -> None:
    client = Client(review_server.url)
    page = client.request("GET", "/login?next=//evil.example/x")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.body).group(1)
    response = client.request(
        "POST",
        "/login",
        {"csrf_token": token, "name": CLINICIAN[0], "password": CLINICIAN[1], "next": "//evil.example/x"},
    )
    assert response.status == 303 and response.header("Location") == "/conversations"
