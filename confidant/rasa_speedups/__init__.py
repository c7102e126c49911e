"""Work Rasa 3.6 repeats on every turn for the same answer, done once instead.

Each module replaces one Rasa function with one that gives the same result, found by
profiling the server under load (docs/performance.md). `install()` is called when Rasa builds
the practice's response generator, once in every Rasa process this project starts.
"""

from __future__ import annotations

from confidant.rasa_speedups import action_response_validation, event_types, model_loading, release_memory


def install() -> None:
    """Install every speed-up (idempotent)."""
    action_response_validation.install()
    event_types.install()
    model_loading.install()
    release_memory.install()
