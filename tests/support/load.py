"""Many conversations at once over REST: the load the benchmark measures and the fault tests use.

Each conversation sends its messages one after another (a person waits for the answer),
either without pause or one every `pace_seconds`, to the given Rasa URLs in turn, so that
with two instances every conversation alternates between them. Every reply is kept, so a
test can check what each message got, and `lost_events` compares what was sent with what
the tracker store holds.
"""

from __future__ import annotations

import asyncio
import collections
import random
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import aiohttp
import sqlalchemy as sa

FAQ = [
    "will you tell my parents?",
    "what if I'm in court?",
    "can my husband find out what I say?",
    "do u have to report stuff",
    "is it actually illegal for you to tell people?",
    "who can see my notes",
    "is this chat saved",
    "how do i book",
    "what does confidentiality mean",
    "can I tell you anything",
    "wud u tell my mom if i vape",
    "if my boss calls will u tell him im in therapy",
]
UNCLEAR = ["what's the weather", "hmm", "can you diagnose me", "pizza?", "ok", "give me therapy now"]
RISK = ["i want to kill myself", "my dad hits me", "im going to hurt him tonight", "i dont want to be alive anymore"]
REQUEST_TIMEOUT_SECONDS = 30


def realistic_message(rng: random.Random) -> Tuple[str, str]:
    """About 70% questions about confidentiality, 20% unclear or off-topic, 10% risk."""
    roll = rng.random()
    if roll < 0.7:
        return "faq", rng.choice(FAQ)
    if roll < 0.9:
        return "unclear", rng.choice(UNCLEAR)
    return "risk", rng.choice(RISK)


@dataclass
class Exchange:
    sender: str
    kind: str
    text: str
    status: int  # 0: no HTTP answer (connection refused, timeout)
    seconds: float
    started: float
    replies: List[str] = field(default_factory=list)


@dataclass
class LoadResult:
    exchanges: List[Exchange]
    elapsed: float

    @property
    def ok(self) -> List[Exchange]:
        return [exchange for exchange in self.exchanges if exchange.status == 200]

    @property
    def errors(self) -> List[Exchange]:
        return [exchange for exchange in self.exchanges if exchange.status != 200]

    def figures(self) -> Dict[str, float]:
        latencies = [exchange.seconds for exchange in self.ok] or [0.0]
        return {
            "messages": len(self.exchanges),
            "per_second": round(len(self.ok) / self.elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p95_ms": round(percentile(latencies, 95) * 1000, 1),
            "p99_ms": round(percentile(latencies, 99) * 1000, 1),
            "errors": len(self.errors),
            "error_statuses": dict(collections.Counter(exchange.status for exchange in self.errors)),
        }

    def senders(self) -> List[str]:
        return sorted({exchange.sender for exchange in self.exchanges})


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


async def _send(session: aiohttp.ClientSession, urls: Sequence[str], exchange: Exchange) -> None:
    """Send to the first URL; if it refuses the connection, the next (as nginx's round robin does)."""
    for url in urls:
        try:
            async with session.post(
                f"{url}/webhooks/rest/webhook",
                json={"sender": exchange.sender, "message": exchange.text},
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS),
            ) as response:
                exchange.status = response.status
                body = await response.json(content_type=None)
                if isinstance(body, dict):  # an error: 503 still carries what the bot said
                    body = body.get("messages") or []
                exchange.replies = [message.get("text") or "" for message in body]
            break
        except aiohttp.ClientConnectorError:
            continue  # nothing was sent: safe to try another instance
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            break
    exchange.seconds = time.perf_counter() - exchange.started


async def run_load(
    urls: Sequence[str],
    conversations: int,
    seconds: float,
    pace_seconds: float = 0.0,
    seed: int = 7,
    message_for: Callable[[random.Random], Tuple[str, str]] = realistic_message,
    sender_prefix: Optional[str] = None,
) -> LoadResult:
    """Run `conversations` conversations for `seconds`; each starts with "hi"."""
    prefix = sender_prefix or "load-" + uuid.uuid4().hex[:8]
    exchanges: List[Exchange] = []
    deadline = time.monotonic() + seconds

    async def conversation(number: int) -> None:
        # A new connection for every message, as nginx opens one to an instance for every
        # request in the production profile: kept-alive connections opened all at once at the
        # start stay with whichever Sanic worker accepted them, and a worker that happened to
        # accept all of them served every message while the other stood idle.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
            await talk(session, number)

    async def talk(session: aiohttp.ClientSession, number: int) -> None:
        rng = random.Random(seed * 100_003 + number)
        sender = f"{prefix}-{number}"
        if pace_seconds:
            await asyncio.sleep(rng.uniform(0, pace_seconds))  # people do not all arrive at once
        turn = 0
        while time.monotonic() < deadline:
            kind, text = ("greet", "hi") if turn == 0 else message_for(rng)
            exchange = Exchange(sender, kind, text, 0, 0.0, time.perf_counter())
            exchanges.append(exchange)
            first = turn % len(urls)
            await _send(session, [*urls[first:], *urls[:first]], exchange)
            turn += 1
            if pace_seconds:
                await asyncio.sleep(max(0.0, pace_seconds - exchange.seconds))

    started = time.monotonic()
    await asyncio.gather(*(conversation(number) for number in range(conversations)))
    elapsed = time.monotonic() - started
    return LoadResult(exchanges, elapsed)


def lost_events(result: LoadResult, database_url: str) -> Dict[str, int]:
    """Messages sent against user events stored, over the conversations of one load run.

    A message the server took (answered, or answered with 503 because the database was down)
    must be stored by the time this is read; one that never reached a server is not lost but
    refused, and shows as an error in the load figures.
    """
    senders = result.senders()
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                sa.text("SELECT count(*) FROM events WHERE type_name = 'user' AND sender_id IN :senders").bindparams(
                    sa.bindparam("senders", expanding=True)
                ),
                {"senders": senders},
            ).scalar()
    finally:
        engine.dispose()
    answered = len(result.ok)
    # 503: the turn was answered but its events went to the spool, to be written later.
    spooled = sum(1 for exchange in result.exchanges if exchange.status == 503)
    return {
        "messages_sent": len(result.exchanges),
        "messages_answered": answered,
        "messages_spooled": spooled,
        "user_events_stored": int(stored or 0),
        "lost_events": max(0, answered + spooled - int(stored or 0)),
    }
