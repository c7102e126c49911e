"""Give the memory that loading a model freed back to the system, once the model is loaded.

Loading reads large temporary structures (TensorFlow traces and restores each model; on a first
start the risk screen reads its English word-frequency table whole, about 1,000,000 entries,
before keeping it compactly) and frees them. glibc keeps freed heap pages in the process for
later use, so the Rasa process stayed about 60 MB larger than what it holds
(docs/performance.md). `malloc_trim(0)` after `Agent.load_model` hands those pages back;
nothing the process uses is touched, and a later allocation simply asks the system again. Where
glibc is not the C library (no `malloc_trim`), nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
from typing import Any, Callable, Optional

_INSTALLED = "_confidant_releases_memory"
# `CONFIDANT_RELEASE_MEMORY=0` keeps the freed pages in the process (to measure the difference).
SWITCH = "CONFIDANT_RELEASE_MEMORY"


def _malloc_trim() -> Optional[Callable[[int], int]]:
    """glibc's `malloc_trim`, or None where the C library has none."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def release_freed_memory(trim: Optional[Callable[[int], int]] = None) -> bool:
    """Collect garbage, then return freed heap pages to the system. True if glibc did it."""
    gc.collect()
    trim = trim or _malloc_trim()
    return bool(trim and trim(0))


def install() -> None:
    """Release freed memory after every `Agent.load_model` (idempotent)."""
    from rasa.core.agent import Agent

    rasa_load_model = Agent.load_model
    if getattr(rasa_load_model, _INSTALLED, False) or os.environ.get(SWITCH) == "0":
        return

    def load_model(self: Any, *args: Any, **kwargs: Any) -> None:
        rasa_load_model(self, *args, **kwargs)
        release_freed_memory()

    setattr(load_model, _INSTALLED, True)
    Agent.load_model = load_model
