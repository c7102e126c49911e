"""After a model is loaded, heap pages freed while loading go back to the system."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

import pytest

from confidant.rasa_internals import release_memory


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.mark.skipif(release_memory._malloc_trim() is None, reason="the C library is not glibc")
def test_freed_heap_pages_leave_the_process() -> None:
    # 80 MB of heap blocks (4 KB each: malloc, not Python's small-object arenas), with a block
    # allocated after them so that the freed space is not at the top of the heap, where glibc
    # would give it back by itself.
    blocks: List[bytearray] = [bytearray(b"x" * 4096) for _ in range(20_000)]
    pin = bytearray(b"y" * 4096)
    del blocks
    before = resident_mb()
    assert release_memory.release_freed_memory()
    assert before - resident_mb() > 40, "the freed 80 MB stayed resident"
    assert pin[0] == ord("y")


def test_every_model_load_is_followed_by_a_release(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.agent import Agent

    calls: List[str] = []

    def rasas_load_model(self: Any, *args: Any, **kwargs: Any) -> None:
        calls.append(f"load {args} {kwargs}")

    monkeypatch.setattr(Agent, "load_model", rasas_load_model)
    monkeypatch.setattr(release_memory, "release_freed_memory", lambda: calls.append("release") or True)
    release_memory.install()
    release_memory.install()  # idempotent: one release per load, not two
    Agent.load_model(object(), "models/m.tar.gz", fingerprint="f")
    assert calls == ["load ('models/m.tar.gz',) {'fingerprint': 'f'}", "release"]


def test_the_switch_keeps_rasas_own_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.agent import Agent

    def rasas_load_model(self: Any, *args: Any, **kwargs: Any) -> None:
        return None

    monkeypatch.setattr(Agent, "load_model", rasas_load_model)
    monkeypatch.setenv(release_memory.SWITCH, "0")
    release_memory.install()
    assert Agent.load_model is rasas_load_model
