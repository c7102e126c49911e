"""Limits on new conversations and on messages, per client address and overall.

Without them a script could open thousands of conversations and escalations and bury the
real ones. Each channel asks `RateLimiter.admit_message` before it hands a message to Rasa
(and the web chat asks `admit_conversation` before it issues a session); a refusal says which
limit and when to try again. Counts live in this process (each Rasa instance counts on its
own) over a sliding window of `limits.window_minutes` from practice.yml.

A refused message is still screened for risk by the channel (`crisis_reply`): the crisis
resources are never withheld. What the client is told is the domain's `utter_error_rate_limited`
(confidant/channels/channel_texts.py); `Refusal.retry_after_seconds` goes to machines.

The client address is the connection's own, unless the connection comes from a configured
trusted proxy (`limits.trusted_proxies`): then it is the nearest address in X-Forwarded-For
that is not itself a trusted proxy. A header from anyone else is ignored.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Callable, Deque, Dict, Iterable, List, Optional, Sequence, Union

from confidant.settings import RateLimits

IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
# A conversation seen within this long is not new when it writes again.
KNOWN_CONVERSATION_SECONDS = 24 * 3600
UNKNOWN_ADDRESS = "unknown"


@dataclass(frozen=True)
class Refusal:
    """Which limit a message or conversation met, and in how many seconds to try again."""

    limit: str  # "new_conversations" or "messages"
    scope: str  # "per_address" or "total"
    retry_after_seconds: int

    @property
    def code(self) -> str:
        return "rate_limited"


class SlidingWindow:
    """Times of the events accepted in the last `seconds`, per key and in total."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._by_key: Dict[str, Deque[float]] = {}
        self._all: Deque[float] = deque()

    def _prune(self, events: Deque[float], now: float) -> None:
        while events and events[0] <= now - self.seconds:
            events.popleft()

    def count(self, key: str, now: float) -> int:
        events = self._by_key.get(key)
        if events is None:
            return 0
        self._prune(events, now)
        if not events:
            del self._by_key[key]
            return 0
        return len(events)

    def total(self, now: float) -> int:
        self._prune(self._all, now)
        return len(self._all)

    def retry_after(self, key: Optional[str], now: float) -> int:
        events = self._all if key is None else self._by_key.get(key) or deque([now])
        return max(1, math.ceil(events[0] + self.seconds - now))

    def add(self, key: str, now: float) -> None:
        self._by_key.setdefault(key, deque()).append(now)
        self._all.append(now)


class RateLimiter:
    """Admits or refuses new conversations and messages under practice.yml's `limits`."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        seconds = limits.window_minutes * 60
        self._conversations = SlidingWindow(seconds)
        self._messages = SlidingWindow(seconds)
        # Conversations admitted recently, oldest first: a message to one of them is not a new conversation.
        self._known: "OrderedDict[str, float]" = OrderedDict()

    def _forget_old_conversations(self, now: float) -> None:
        while self._known and next(iter(self._known.values())) <= now - KNOWN_CONVERSATION_SECONDS:
            self._known.popitem(last=False)

    def is_known(self, conversation_id: str) -> bool:
        now = self._clock()
        self._forget_old_conversations(now)
        return conversation_id in self._known

    def _conversation_refusal(self, address: str, now: float) -> Optional[Refusal]:
        limit = self.limits.new_conversations
        if self._conversations.count(address, now) >= limit.per_address:
            return Refusal("new_conversations", "per_address", self._conversations.retry_after(address, now))
        if self._conversations.total(now) >= limit.total:
            return Refusal("new_conversations", "total", self._conversations.retry_after(None, now))
        return None

    def _remember(self, conversation_id: str, now: float) -> None:
        self._known[conversation_id] = now
        self._known.move_to_end(conversation_id)

    def admit_conversation(self, address: str, conversation_id: str) -> Optional[Refusal]:
        """Count a new conversation from `address`, or say which limit it met (nothing counted)."""
        now = self._clock()
        self._forget_old_conversations(now)
        if conversation_id in self._known:
            self._remember(conversation_id, now)
            return None
        refusal = self._conversation_refusal(address, now)
        if refusal is None:
            self._conversations.add(address, now)
            self._remember(conversation_id, now)
        return refusal

    def admit_message(self, address: str, conversation_id: str) -> Optional[Refusal]:
        """Count a message (and its conversation, if new), or say which limit it met (nothing counted)."""
        now = self._clock()
        self._forget_old_conversations(now)
        is_new = conversation_id not in self._known
        if is_new:
            refusal = self._conversation_refusal(address, now)
            if refusal is not None:
                return refusal
        limit = self.limits.messages
        if self._messages.count(address, now) >= limit.per_address:
            return Refusal("messages", "per_address", self._messages.retry_after(address, now))
        if self._messages.total(now) >= limit.total:
            return Refusal("messages", "total", self._messages.retry_after(None, now))
        if is_new:
            self._conversations.add(address, now)
        self._messages.add(address, now)
        self._remember(conversation_id, now)
        return None


# ---- the client address ----------------------------------------------------------------------


def trusted_networks(entries: Iterable[str]) -> List[IPNetwork]:
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def _parse_ip(text: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1 and "." in text:  # v4:port
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _is_trusted(address: Union[ipaddress.IPv4Address, ipaddress.IPv6Address], trusted: Sequence[IPNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)


def client_address(peer: Optional[str], forwarded_for: Optional[str], trusted: Sequence[IPNetwork]) -> str:
    """The address to count a request under: the socket's, or what a trusted proxy says it forwarded for.

    X-Forwarded-For is read right to left (each proxy appends the address it saw), skipping
    trusted proxies; the first other entry is the client. Entries to its left could have been
    written by anyone and are never read.
    """
    peer_address = _parse_ip(peer or "")
    if peer_address is None:
        return UNKNOWN_ADDRESS
    if not forwarded_for or not _is_trusted(peer_address, trusted):
        return address_key(peer_address)
    for entry in reversed(forwarded_for.split(",")):
        hop = _parse_ip(entry)
        if hop is None:
            break  # not an address a proxy wrote: stop believing the header here
        if not _is_trusted(hop, trusted):
            return address_key(hop)
    return address_key(peer_address)


def address_key(address: Union[ipaddress.IPv4Address, ipaddress.IPv6Address]) -> str:
    """IPv4: the address. IPv6: its /64, which one client typically holds whole."""
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


# ---- one limiter per process, shared by the channels -------------------------------------------


_shared: Optional[RateLimiter] = None


def shared_rate_limiter() -> RateLimiter:
    """The limiter every channel of this process counts in, so the overall limits are overall."""
    global _shared
    if _shared is None:
        from confidant.settings import current_settings

        _shared = RateLimiter(current_settings().limits)
    return _shared
