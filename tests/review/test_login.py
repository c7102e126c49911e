"""Signing in: argon2 hashes, audited successes and failures, growing waits per address after five failures."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta, timezone

from review.storage.account_store import FIRST_DELAY, MAX_DELAY, MAX_FAILURES, AccountStore, delay_after
from review.storage.appdb import open_review_db
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


def test_wrong_passwords_slow_the_address_down_not_the_account(review_server, scratch: Scratch) -> None:
    """All requests here come from 127.0.0.1: after five failures it waits; the account is not locked."""
    client = Client(review_server.url)
    for _ in range(MAX_FAILURES):
        assert client.login(LOCKOUT_TARGET[0], "not the password").status == 401
    sixth = client.login(LOCKOUT_TARGET[0], "not the password")
    assert sixth.status == 429 and "Too many failed sign-ins from this address" in sixth.body
    assert 1 <= int(sixth.header("Retry-After")) <= FIRST_DELAY.total_seconds() + 1
    right_password = client.login(*LOCKOUT_TARGET)
    assert right_password.status == 429
    assert "review_session" not in right_password.header("Set-Cookie")
    assert audit(scratch, LOCKOUT_TARGET[0])[-1] == "login_locked"
    # The same address is waiting for an unknown name too: the wait tells nobody which names exist.
    assert client.login("nobody-here", "guess").status == 429
    # Other tests sign in from 127.0.0.1 as well: let it through again.
    AccountStore(open_review_db(scratch.env["CONFIDANT_REVIEW_DB_URL"])).forget_failures("127.0.0.1")
    assert client.login(*LOCKOUT_TARGET).status == 303


def test_the_wait_grows_with_each_further_failure_and_ends(scratch: Scratch) -> None:
    store = AccountStore(open_review_db(scratch.env["CONFIDANT_REVIEW_DB_URL"]))
    store.create("tess-timer", "clinician", "timer password 1234")
    now = datetime.now(timezone.utc)
    guesser, colleague = "203.0.113.9", "198.51.100.9"
    for _ in range(MAX_FAILURES):
        assert store.authenticate("tess-timer", "wrong", guesser, now=now).retry_at is None
    refused = store.authenticate("tess-timer", "timer password 1234", guesser, now=now + timedelta(seconds=29))
    assert not refused.ok and refused.retry_at == now + FIRST_DELAY
    # The account is not locked: the clinician signs in from elsewhere at once.
    assert store.authenticate("tess-timer", "timer password 1234", colleague, now=now).ok
    # After the wait, one more attempt is checked; a wrong one doubles the wait.
    later = now + FIRST_DELAY + timedelta(seconds=1)
    assert store.authenticate("tess-timer", "wrong", guesser, now=later).retry_at is None
    assert store.retry_at(guesser, now=later) == later + 2 * FIRST_DELAY
    # Each doubling stops at MAX_DELAY.
    assert delay_after(MAX_FAILURES + 30) == MAX_DELAY
    # The right password after the wait gets in and clears the address's count.
    after = later + 2 * FIRST_DELAY + timedelta(seconds=1)
    assert store.authenticate("tess-timer", "timer password 1234", guesser, now=after).ok
    assert store.retry_at(guesser, now=after) is None


def test_accounts_cli_removes_accounts_and_their_sessions(review_server, scratch: Scratch) -> None:
    created = run_cli(
        scratch.env,
        "review.cli.accounts",
        "create",
        "rita-removed",
        "--role",
        "clinician",
        stdin="removable password 99\n",
    )
    assert created.returncode == 0, created.stderr
    client = Client(review_server.url)
    assert client.login("rita-removed", "removable password 99").status == 303
    assert client.get("/conversations").status == 200
    changed = run_cli(scratch.env, "review.cli.accounts", "password", "rita-removed", stdin="a new password 123\n")
    assert changed.returncode == 0, changed.stderr
    assert client.get("/conversations").status == 303  # a new password ends the old sessions
    assert client.login("rita-removed", "a new password 123").status == 303
    removed = run_cli(scratch.env, "review.cli.accounts", "remove", "rita-removed")
    assert removed.returncode == 0, removed.stderr
    assert client.get("/conversations").status == 303
    assert "account_removed" in [row for row in audit(scratch, "(command line)")]
    short = run_cli(scratch.env, "review.cli.accounts", "create", "sam", "--role", "clinician", stdin="short\n")
    assert short.returncode != 0 and "at least 12 characters" in short.stderr
    bad_role = run_cli(
        scratch.env, "review.cli.accounts", "create", "sam", "--role", "owner", stdin="long enough pw 1\n"
    )
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
