"""Rate limits: the counting, and the client address they count under (no server)."""

from __future__ import annotations

import pytest

from confidant.channels.rate_limits import RateLimiter, client_address, trusted_networks
from confidant.settings import RateLimit, RateLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limiter(clock: Clock, conversations=(2, 3), messages=(3, 5), window_minutes: int = 1) -> RateLimiter:
    return RateLimiter(
        RateLimits(
            window_minutes=window_minutes,
            new_conversations=RateLimit(per_address=conversations[0], total=conversations[1]),
            messages=RateLimit(per_address=messages[0], total=messages[1]),
        ),
        clock=clock,
    )


def test_messages_from_one_address_are_limited_and_the_window_slides() -> None:
    clock = Clock()
    limits = limiter(clock)
    assert [limits.admit_message("1.1.1.1", "c1") for _ in range(3)] == [None, None, None]
    refused = limits.admit_message("1.1.1.1", "c1")
    assert (refused.limit, refused.scope, refused.retry_after_seconds) == ("messages", "per_address", 60)
    assert limits.admit_message("2.2.2.2", "c2") is None  # another address is not affected
    clock.now += 30
    assert limits.admit_message("1.1.1.1", "c1").retry_after_seconds == 30
    clock.now += 30
    assert limits.admit_message("1.1.1.1", "c1") is None


def test_the_overall_message_limit_holds_across_addresses() -> None:
    clock = Clock()
    limits = limiter(clock, conversations=(5, 10))
    for number in range(5):
        assert limits.admit_message(f"10.0.0.{number}", f"c{number}") is None
    refused = limits.admit_message("10.0.0.99", "c0")
    assert (refused.limit, refused.scope) == ("messages", "total")


def test_new_conversations_are_limited_per_address_and_overall() -> None:
    clock = Clock()
    limits = limiter(clock, messages=(100, 100))
    assert limits.admit_message("1.1.1.1", "a") is None
    assert limits.admit_message("1.1.1.1", "b") is None
    refused = limits.admit_message("1.1.1.1", "c")
    assert (refused.limit, refused.scope) == ("new_conversations", "per_address")
    assert limits.admit_message("1.1.1.1", "a") is None  # a known conversation goes on
    assert limits.admit_message("2.2.2.2", "d") is None
    refused = limits.admit_message("3.3.3.3", "e")
    assert (refused.limit, refused.scope) == ("new_conversations", "total")


def test_a_refused_message_is_not_counted() -> None:
    clock = Clock()
    limits = limiter(clock, messages=(1, 100))
    assert limits.admit_message("1.1.1.1", "a") is None
    for _ in range(50):
        assert limits.admit_message("1.1.1.1", "a") is not None
    clock.now += 61
    assert limits.admit_message("1.1.1.1", "a") is None


def test_a_web_session_counts_as_a_new_conversation_once() -> None:
    clock = Clock()
    limits = limiter(clock, conversations=(1, 10))
    assert limits.admit_conversation("1.1.1.1", "web-1") is None
    assert limits.admit_conversation("1.1.1.1", "web-1") is None  # resumed: not new
    assert limits.admit_message("1.1.1.1", "web-1") is None
    assert limits.admit_conversation("1.1.1.1", "web-2").limit == "new_conversations"


def test_the_refusal_says_when_to_try_again() -> None:
    clock = Clock()
    limits = limiter(clock, messages=(1, 10), window_minutes=10)
    limits.admit_message("1.1.1.1", "a")
    refusal = limits.admit_message("1.1.1.1", "a")
    assert refusal.code == "rate_limited" and refusal.retry_after_seconds == 600


TRUSTED = trusted_networks(["127.0.0.1", "10.0.0.0/8"])


@pytest.mark.parametrize(
    "peer, forwarded, counted_as",
    [
        ("203.0.113.7", None, "203.0.113.7"),
        # From an untrusted peer the header is ignored: anyone can write it.
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),
        # From a trusted proxy: the nearest address that is not a trusted proxy.
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own claim is ignored
        ("127.0.0.1", "198.51.100.1, 10.1.2.3", "198.51.100.1"),  # through two trusted proxies
        ("127.0.0.1", "not-an-ip", "127.0.0.1"),
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "[2001:db8:1:2::5]:4711", "2001:db8:1:2::/64"),
        ("2001:db8:aaaa:bbbb:1::9", None, "2001:db8:aaaa:bbbb::/64"),  # a client holds its whole /64
        ("::ffff:203.0.113.7", None, "203.0.113.7"),
        ("", None, "unknown"),
    ],
)
def test_the_client_address_comes_from_the_socket_unless_a_trusted_proxy_forwarded_it(
    peer: str, forwarded: str, counted_as: str
) -> None:
    assert client_address(peer, forwarded, TRUSTED) == counted_as
