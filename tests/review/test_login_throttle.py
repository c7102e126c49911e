"""Parallel wrong passwords get no more real guesses than the limit, and never lock the real person out.

A review app of its own, behind a "proxy" it trusts (127.0.0.1, CONFIDANT_REVIEW_TRUSTED_PROXIES),
so each client can say which address it comes from with X-Forwarded-For.
"""

from __future__ import annotations

import sqlite3
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Iterator

import pytest

from review.config import ReviewConfig
from review.storage.account_store import MAX_FAILURES
from review.web.guard import client_address
from tests.review.conftest import make_scratch, run_cli, running_review_app
from tests.review.support import Client

TARGET = ("pat-parallel", "parallel password 4321")
GUESSER, CLINIC = "203.0.113.7", "198.51.100.20"
PARALLEL_GUESSES = 39


class ClientAt(Client):
    """A client whose requests arrive through the trusted proxy from `address`."""

    def __init__(self, base_url: str, address: str) -> None:
        super().__init__(base_url)
        self.opener.addheaders = [("X-Forwarded-For", f"10.9.9.9, {address}")]  # the left hop is the client's own say


@pytest.fixture(scope="module")
def throttled_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    practice = make_scratch(tmp_path_factory.mktemp("throttle"))
    practice.env["CONFIDANT_REVIEW_TRUSTED_PROXIES"] = "127.0.0.1"
    created = run_cli(
        practice.env, "review.cli.accounts", "create", TARGET[0], "--role", "clinician", stdin=TARGET[1] + "\n"
    )
    assert created.returncode == 0, created.stderr
    with running_review_app(practice.env, practice.directory) as server:
        yield SimpleNamespace(url=server.url, directory=practice.directory)


def audited(directory: Path, action: str) -> list:
    with sqlite3.connect(directory / "review.sqlite3") as connection:
        return [row[0] for row in connection.execute("SELECT address FROM audit_log WHERE action = ?", (action,))]


def test_parallel_wrong_passwords_get_five_real_guesses_and_the_clinician_still_signs_in(throttled_app) -> None:
    def guess(number: int) -> int:
        return ClientAt(throttled_app.url, GUESSER).login(TARGET[0], f"wrong guess {number}").status

    with ThreadPoolExecutor(max_workers=PARALLEL_GUESSES) as pool:
        statuses = list(pool.map(guess, range(PARALLEL_GUESSES)))

    # 401: the password was checked and wrong; 429: refused before any check.
    assert statuses.count(401) == MAX_FAILURES, statuses
    assert statuses.count(429) == PARALLEL_GUESSES - MAX_FAILURES
    assert set(audited(throttled_app.directory, "login_failed")) == {GUESSER}
    assert len(audited(throttled_app.directory, "login_locked")) == PARALLEL_GUESSES - MAX_FAILURES

    # The clinician, from the clinic, signs in at once: the account was never locked.
    clinician = ClientAt(throttled_app.url, CLINIC)
    assert clinician.login(*TARGET).status == 303
    assert clinician.get("/conversations").status == 200
    # The guessing address still waits, even with the right password.
    assert ClientAt(throttled_app.url, GUESSER).login(*TARGET).status == 429


def request_from(peer: str, forwarded: str, trusted: str) -> SimpleNamespace:
    config = ReviewConfig.from_env({"CONFIDANT_REVIEW_TRUSTED_PROXIES": trusted})
    return SimpleNamespace(
        ip=peer,
        headers={"X-Forwarded-For": forwarded} if forwarded else {},
        app=SimpleNamespace(ctx=SimpleNamespace(services=SimpleNamespace(config=config))),
    )


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "address"),
    [
        ("198.51.100.5", "203.0.113.1", "", "198.51.100.5"),  # no proxy trusted: the header is ignored
        ("198.51.100.5", "203.0.113.1", "127.0.0.1", "198.51.100.5"),  # not from the trusted proxy
        ("127.0.0.1", "203.0.113.1", "127.0.0.1", "203.0.113.1"),
        ("127.0.0.1", "6.6.6.6, 203.0.113.1", "127.0.0.1", "203.0.113.1"),  # the client wrote the left hop
        ("127.0.0.1", "203.0.113.1, 10.0.0.2", "127.0.0.1,10.0.0.0/8", "203.0.113.1"),  # two proxies
        ("127.0.0.1", "", "127.0.0.1", "127.0.0.1"),
        ("127.0.0.1", "not-an-address", "127.0.0.1", "127.0.0.1"),
    ],
)
def test_the_client_address_comes_from_the_proxy_header_only_behind_a_trusted_proxy(
    peer: str, forwarded: str, trusted: str, address: str
) -> None:
    assert client_address(request_from(peer, forwarded, trusted)) == address  # type: ignore[arg-type]


def test_a_wrong_trusted_proxy_setting_is_named() -> None:
    with pytest.raises(ValueError, match="CONFIDANT_REVIEW_TRUSTED_PROXIES: 'proxy.local'"):
        ReviewConfig.from_env({"CONFIDANT_REVIEW_TRUSTED_PROXIES": "proxy.local"})


def test_behind_https_cookies_are_secure_and_hsts_is_sent(throttled_app) -> None:
    plain = urllib.request.urlopen(throttled_app.url + "/login", timeout=10)
    assert "Secure" not in plain.headers.get("Set-Cookie", "") and not plain.headers.get("Strict-Transport-Security")
    request = urllib.request.Request(throttled_app.url + "/login", headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=10) as https:
        assert https.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert "Secure" in https.headers["Set-Cookie"]


def test_a_proto_header_from_an_untrusted_peer_changes_nothing(review_server) -> None:
    request = urllib.request.Request(review_server.url + "/login", headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert not response.headers.get("Strict-Transport-Security")
