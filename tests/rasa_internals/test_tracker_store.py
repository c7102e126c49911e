"""No event is lost across a PostgreSQL outage; the failure is visible, not silent.

The outage is real: the store talks to the local PostgreSQL through a TCP proxy that the
test cuts and restores.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from confidant.rasa_internals.tracker_store import DurableSQLTrackerStore
from confidant.store.turn_storage import watching_storage
from tests.support.databases import stored_events
from tests.support.tcp_proxy import TcpProxy

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def database():
    name = "confidant_test_" + uuid.uuid4().hex[:8]
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
    except sa.exc.OperationalError:
        pytest.fail("PostgreSQL is not running on 127.0.0.1:5432 (.ci/run starts it)")
    yield name
    with admin.connect() as connection:
        connection.execute(
            sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
        )
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
    admin.dispose()


@pytest.fixture
def proxied(database):
    """(proxy, url through the proxy, direct url): the test cuts and restores the proxy; it ends stopped."""
    proxy = TcpProxy(5432)
    proxy.start()
    try:
        yield (
            proxy,
            f"postgresql://postgres@127.0.0.1:{proxy.port}/{database}",
            f"postgresql://postgres@127.0.0.1:5432/{database}",
        )
    finally:
        proxy.stop()


def turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, intent={"name": "faq", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_faq"))
    tracker.update(BotUttered(f"answer to {text}"))
    tracker.update(ActionExecuted("action_listen"))


def stored_texts(url: str, sender: str) -> list:
    return [event.get("text") for event in stored_events(url, sender) if event["event"] == "user"]


def test_turns_during_an_outage_are_spooled_and_written_in_order_after(proxied, tmp_path: Path) -> None:
    proxy, url, direct_url = proxied
    durable = DurableSQLTrackerStore(Domain.empty(), host=url, spool_dir=str(tmp_path / "spool"))
    store = FailSafeTrackerStore(durable)  # as Rasa's Agent wraps every tracker store
    sender = "conv-" + uuid.uuid4().hex

    async def scenario() -> None:
        tracker = DialogueStateTracker(sender, [])
        turn(tracker, "before")
        with watching_storage() as storage:
            await store.save(tracker)
        assert not storage.unstored

        proxy.stop()  # the database goes away
        during = await store.retrieve(sender)  # carries on from memory
        assert during is not None and during.latest_message.text == "before"
        turn(during, "during one")
        with watching_storage() as storage:
            await store.save(during)
        assert storage.unstored  # visible to the channel
        again = await store.retrieve(sender)
        turn(again, "during two")
        await store.save(again)
        assert durable.spool.count() == 8

        proxy.start()  # it is back
        after = await store.retrieve(sender)
        assert [e.text for e in after.events if isinstance(e, UserUttered)] == ["before", "during one", "during two"]
        turn(after, "after")
        await store.save(after)

    asyncio.run(scenario())
    assert stored_texts(direct_url, sender) == ["before", "during one", "during two", "after"]
    assert durable.spool.count() == 0


def test_a_conversation_that_goes_quiet_during_an_outage_is_written_after_it(proxied, tmp_path: Path) -> None:
    proxy, url, direct_url = proxied
    spool = str(tmp_path / "spool")
    # Two stores sharing one spool directory, as two Rasa instances on one machine do.
    first = FailSafeTrackerStore(DurableSQLTrackerStore(Domain.empty(), host=url, spool_dir=spool))
    second_durable = DurableSQLTrackerStore(Domain.empty(), host=url, spool_dir=spool)
    second = FailSafeTrackerStore(second_durable)
    quiet, busy = "quiet-" + uuid.uuid4().hex, "busy-" + uuid.uuid4().hex

    async def scenario() -> None:
        proxy.stop()
        tracker = DialogueStateTracker(quiet, [])
        turn(tracker, "last words before leaving")
        with watching_storage() as storage:
            await first.save(tracker)  # spooled; this conversation never speaks again
        assert storage.unstored
        proxy.start()
        other = DialogueStateTracker(busy, [])
        turn(other, "someone else")
        await second.save(other)  # the database answers: the quiet spool follows
        await asyncio.sleep(0)
        if second_durable._background_flush is not None:
            await second_durable._background_flush
        await first.save(other)  # a second flusher finds nothing left to write

    asyncio.run(scenario())
    assert stored_texts(direct_url, quiet) == ["last words before leaving"]
    assert second_durable.spool.count() == 0


def store_retrying_every(seconds: float, url: str, tmp_path: Path) -> tuple:
    """(the durable store, Rasa's fail-safe wrapper of it) whose spool retry waits `seconds` each time."""
    durable = DurableSQLTrackerStore(
        Domain.empty(), host=url, spool_dir=str(tmp_path / "spool"), spool_drain_delays=(seconds,)
    )
    return durable, FailSafeTrackerStore(durable)


def test_a_spool_is_written_after_an_outage_with_no_traffic_at_all(proxied, tmp_path: Path) -> None:
    proxy, url, direct_url = proxied
    durable, store = store_retrying_every(0.3, url, tmp_path)
    sender = "night-" + uuid.uuid4().hex

    async def scenario() -> None:
        proxy.stop()
        tracker = DialogueStateTracker(sender, [])
        turn(tracker, "the only message tonight")
        await store.save(tracker)  # spooled
        await asyncio.sleep(1.0)  # several retries fail while the database is away
        assert durable.spool.count() == 4
        proxy.start()  # back, and nobody writes again
        for _ in range(50):
            await asyncio.sleep(0.1)
            if durable.spool.count() == 0:
                break
        assert durable._drainer is not None and durable._drainer.done()

    asyncio.run(scenario())
    assert stored_texts(direct_url, sender) == ["the only message tonight"]
    assert durable.spool.count() == 0


def test_a_save_spooled_while_the_retry_looks_is_still_written(proxied, tmp_path: Path) -> None:
    """The retry looked at an empty directory just as another turn spooled: it must not stop there."""
    proxy, url, direct_url = proxied
    durable, store = store_retrying_every(0.3, url, tmp_path)
    first, second = "first-" + uuid.uuid4().hex, "second-" + uuid.uuid4().hex
    looked_empty = durable.spool.is_empty
    looks = 0

    async def scenario() -> None:
        loop = asyncio.get_running_loop()

        def look_while_another_turn_spools() -> bool:
            nonlocal looks
            looks += 1
            if looks > 1:
                return looked_empty()
            empty = looked_empty()  # the directory as it is before the other turn writes
            proxy.stop()
            tracker = DialogueStateTracker(second, [])
            turn(tracker, "sent as the retry looked")
            asyncio.run_coroutine_threadsafe(store.save(tracker), loop).result()
            proxy.start()
            return empty

        durable.spool.is_empty = look_while_another_turn_spools  # type: ignore[method-assign]
        proxy.stop()
        tracker = DialogueStateTracker(first, [])
        turn(tracker, "the first message")
        await store.save(tracker)  # spooled: the retry starts
        proxy.start()
        for _ in range(50):
            await asyncio.sleep(0.1)
            if durable._drainer is not None and durable._drainer.done():
                break

    asyncio.run(scenario())
    assert stored_texts(direct_url, first) == ["the first message"]
    assert stored_texts(direct_url, second) == ["sent as the retry looked"]
    assert durable.spool.count() == 0


def test_the_retry_outlives_an_error_that_is_not_the_databases(proxied, tmp_path: Path) -> None:
    proxy, url, direct_url = proxied
    durable, store = store_retrying_every(0.2, url, tmp_path)
    sender = "night-" + uuid.uuid4().hex
    flush_all = durable.flush_all
    calls = 0

    def fails_once() -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("the spool's disk hiccuped")
        return flush_all()

    async def scenario() -> None:
        durable.flush_all = fails_once  # type: ignore[method-assign]
        proxy.stop()
        tracker = DialogueStateTracker(sender, [])
        turn(tracker, "the only message tonight")
        await store.save(tracker)  # spooled
        proxy.start()
        for _ in range(50):
            await asyncio.sleep(0.1)
            if durable.spool.count() == 0:
                break

    asyncio.run(scenario())
    assert calls >= 2
    assert stored_texts(direct_url, sender) == ["the only message tonight"]
