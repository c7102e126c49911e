"""What a client types is text: only the assistant's own buttons may send intent payloads.

Rasa reads a message that starts with "/" as an intent payload (`/greet{"a":1} ...`), and it
does so after the NLU pipeline, so after the risk screen: `/greet{"a":1} i want to kill myself`
got the greeting instead of the crisis reply, and Rasa logged the whole message at WARNING
when the payload did not parse. Every channel passes what a client sent through
`as_client_text` before Rasa sees it: a payload the assistant itself offers (a button in
domain.yml's responses, or the web chat widget's `/greet` init payload) passes unchanged;
anything else loses its leading slashes, so Rasa reads it as words and the screen sees it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import AbstractSet, Optional, Union

from confidant.settings import PROJECT_ROOT
from confidant.yaml_files import load_yaml

INTENT_PAYLOAD_PREFIX = "/"  # Rasa's INTENT_MESSAGE_PREFIX
WIDGET_INIT_PAYLOAD = "/greet"  # web/chat.js `initPayload`: the welcome and disclaimer
DOMAIN_PATH = PROJECT_ROOT / "domain.yml"


def button_payloads(domain_path: Union[str, Path] = DOMAIN_PATH) -> frozenset[str]:
    """Every intent payload the assistant offers: its responses' buttons, and the widget's init payload."""
    domain = load_yaml(Path(domain_path).read_text(encoding="utf-8")) or {}
    payloads = {WIDGET_INIT_PAYLOAD}
    for variants in (domain.get("responses") or {}).values():
        for variant in variants or []:
            for button in (variant or {}).get("buttons") or []:
                payload = str((button or {}).get("payload") or "").strip()
                if payload.startswith(INTENT_PAYLOAD_PREFIX):
                    payloads.add(payload)
    return frozenset(payloads)


@cache
def allowed_payloads() -> frozenset[str]:
    """The payloads of this project's domain.yml, read once per process."""
    return button_payloads()


def as_client_text(text: str, allowed: Optional[AbstractSet[str]] = None) -> str:
    """The text to hand to Rasa: an offered payload as it is, anything else never starting with "/".

    Rasa strips whitespace before it looks for the "/", so whitespace and slashes are removed
    together ("  / /greet" -> "greet"). What is left may be empty; the caller refuses that.
    """
    allowed = allowed_payloads() if allowed is None else allowed
    if text.strip() in allowed:
        return text.strip()
    remaining = text
    while True:
        remaining = remaining.lstrip()
        if not remaining.startswith(INTENT_PAYLOAD_PREFIX):
            return remaining
        remaining = remaining.lstrip(INTENT_PAYLOAD_PREFIX)
