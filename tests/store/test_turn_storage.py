"""The store's signal reaches the turn it is about, and no other."""

from __future__ import annotations

import asyncio

from confidant.store.turn_storage import report_unstored, watching_storage


def test_concurrent_turns_each_learn_only_what_happened_to_their_own_events() -> None:
    async def turn(spooled: bool, delay: float) -> bool:
        with watching_storage() as storage:
            await asyncio.sleep(delay)  # the other turn runs meanwhile
            if spooled:
                report_unstored()
            await asyncio.sleep(delay)
        return storage.unstored

    async def both() -> list:
        return list(await asyncio.gather(turn(True, 0.01), turn(False, 0.02), turn(False, 0.0)))

    assert asyncio.run(both()) == [True, False, False]


def test_a_report_outside_any_turn_is_dropped_and_a_later_turn_starts_clean() -> None:
    report_unstored()  # a tool saving a tracker: nobody is listening, nothing is kept
    with watching_storage() as storage:
        pass
    assert storage.unstored is False
