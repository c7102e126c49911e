"""Concurrent turns of one conversation through two Rasa instances never interleave.

Runs against the real Redis on loopback (started by .ci/run where missing).
"""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
import redis

from confidant.rasa_internals.lock_store import AtomicRedisLockStore


@pytest.fixture
def prefix() -> str:
    return "t" + uuid.uuid4().hex[:12]


@pytest.fixture
def two_instances(prefix: str):
    try:
        redis.Redis(host="127.0.0.1", port=6379).ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    stores = [AtomicRedisLockStore(host="127.0.0.1", port=6379, key_prefix=prefix) for _ in range(2)]
    yield stores
    for key in stores[0].red.scan_iter(f"{prefix}*"):
        stores[0].red.delete(key)


def test_tickets_issued_concurrently_by_two_instances_are_unique(two_instances) -> None:
    tickets: list[int] = []
    guard = threading.Lock()

    def issue(store: AtomicRedisLockStore) -> None:
        for _ in range(50):
            number = store.issue_ticket("conv-1", 60)
            with guard:
                tickets.append(number)

    threads = [threading.Thread(target=issue, args=(two_instances[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tickets) == 400
    assert sorted(tickets) == list(range(400))


def test_turns_through_both_instances_never_overlap(two_instances) -> None:
    """Each 'turn' holds the lock while it appends start/end markers: they must nest properly."""
    log: list[str] = []

    async def turn(store: AtomicRedisLockStore, name: str) -> None:
        async with store.lock("conv-2", lock_lifetime=30, wait_time_in_seconds=0.005):
            log.append(f"start {name}")
            await asyncio.sleep(0.01)
            log.append(f"end {name}")

    async def main() -> None:
        await asyncio.gather(*(turn(two_instances[i % 2], str(i)) for i in range(20)))

    asyncio.run(main())
    assert len(log) == 40
    for index in range(0, 40, 2):
        assert log[index].startswith("start") and log[index + 1] == log[index].replace("start", "end")
    assert two_instances[0].get_lock("conv-2") is None  # cleaned up after the last turn


def test_a_message_waiting_behind_a_dead_instance_goes_ahead_once_its_ticket_lapses(two_instances) -> None:
    dead, alive = two_instances
    dead.issue_ticket("conv-dead", 2)  # an instance took the turn, then died: never cleaned up

    async def next_message() -> float:
        started = asyncio.get_running_loop().time()
        async with alive.lock("conv-dead", lock_lifetime=2, wait_time_in_seconds=0.2):
            return asyncio.get_running_loop().time() - started

    # Stock Rasa lets the waiting ticket lapse together with the dead one and then waits for ever.
    waited = asyncio.run(asyncio.wait_for(next_message(), timeout=10))
    assert 1.5 < waited < 5
