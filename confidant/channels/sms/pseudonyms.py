"""Conversation ids for SMS that are not phone numbers.

Rasa files a conversation under the id the channel gives it, and that id ends up in the
tracker store, the logs, the action server's payloads and every escalation notification. For
SMS the natural id is the client's phone number, which is exactly what must not spread. The
channel uses a keyed HMAC of the number instead: stable (the same phone always reaches the same
conversation), and without the key it reveals nothing, not even which numbers have written.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from typing import Mapping, Optional

from confidant.channels.conversation_ids import SMS_CONVERSATION_PREFIX

PSEUDONYM_KEY_ENV_VAR = "CONFIDANT_SMS_PSEUDONYM_KEY"
MIN_KEY_CHARS = 32
# Part of the HMAC input, so the same key used elsewhere can never produce the same value.
_DOMAIN_SEPARATOR = b"confidant/sms-pseudonym/v1\x00"
_HEX_CHARS = 32  # 128 bits: collisions are not a concern for one practice's clients


class PseudonymKeyError(ValueError):
    """The pseudonym key is not configured, or too short to be a secret."""


def load_pseudonym_key(environ: Optional[Mapping[str, str]] = None) -> bytes:
    """The HMAC key from `CONFIDANT_SMS_PSEUDONYM_KEY`, or `PseudonymKeyError` saying what to set."""
    value = (os.environ if environ is None else environ).get(PSEUDONYM_KEY_ENV_VAR, "").strip()
    if not value:
        raise PseudonymKeyError(
            f"The SMS channel needs {PSEUDONYM_KEY_ENV_VAR}: a random secret that turns phone numbers "
            "into conversation ids. Make one with: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    if len(value) < MIN_KEY_CHARS:
        raise PseudonymKeyError(
            f"{PSEUDONYM_KEY_ENV_VAR} must be at least {MIN_KEY_CHARS} characters of random secret "
            "(python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    return value.encode("utf-8")


def normalise_address(address: str) -> str:
    """The form of a Twilio `From` that is hashed: spaces dropped, otherwise as Twilio sent it (E.164)."""
    return re.sub(r"\s+", "", address)


def pseudonym_for(address: str, key: bytes) -> str:
    """`sms-<32 hex>`: the conversation id for a phone number (or `whatsapp:+...` address)."""
    digest = hmac.new(key, _DOMAIN_SEPARATOR + normalise_address(address).encode("utf-8"), hashlib.sha256)
    return SMS_CONVERSATION_PREFIX + digest.hexdigest()[:_HEX_CHARS]


def is_pseudonym(value: str) -> bool:
    return bool(re.fullmatch(re.escape(SMS_CONVERSATION_PREFIX) + f"[0-9a-f]{{{_HEX_CHARS}}}", value))
