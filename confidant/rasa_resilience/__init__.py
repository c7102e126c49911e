"""Rasa 3.6 behaviour that loses an answer when a part is down, changed so the dialogue goes on.

Each module replaces one Rasa function; `install()` is called with the speed-ups, when Rasa
builds the practice's response generator, once in every Rasa process this project starts.
"""

from __future__ import annotations

from confidant.rasa_resilience import form_validation


def install() -> None:
    """Install every change (idempotent)."""
    form_validation.install()
