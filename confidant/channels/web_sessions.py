"""The web chat's sessions: signed tokens the server issues, and the key that signs them.

A browser never names its own conversation: the server issues a random token the tab keeps and
shows back after a reload, and the conversation id is derived from the token with the server's
key, so an id seen in a log, a notification or the review tool cannot be used to join it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from confidant.channels.conversation_ids import WEB_CONVERSATION_PREFIX
from confidant.private_files import read_or_create_secret
from confidant.settings import PROJECT_ROOT

KEY_ENV_VAR = "CONFIDANT_WEB_SESSION_KEY"
DEFAULT_KEY_PATH = PROJECT_ROOT / "var" / "web_session.key"
TOKEN_VERSION = "1"


def load_session_key() -> bytes:
    """The key that signs session tokens: `CONFIDANT_WEB_SESSION_KEY`, else a local key file."""
    key = os.environ.get(KEY_ENV_VAR)
    if key:
        return key.encode("utf-8")
    return read_or_create_secret(Path(DEFAULT_KEY_PATH), lambda: secrets.token_hex(32).encode("ascii"))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class IssuedSession:
    token: str  # what the browser keeps and shows back; never logged
    conversation_id: str  # the tracker's sender id


class SessionTokens:
    """Issues session tokens and checks that a token shown back is one this server issued.

    A token is `1.<issued at>.<128 random bits>.<HMAC>`. The conversation id is a second HMAC
    of the random part, so knowing a conversation id does not give the token.
    """

    def __init__(self, key: bytes, max_age_seconds: float, clock: Callable[[], float] = time.time) -> None:
        if len(key) < 16:
            raise ValueError(f"The web session key must be at least 16 bytes ({KEY_ENV_VAR}).")
        self._key = key
        self.max_age_seconds = max_age_seconds
        self._clock = clock

    def _mac(self, purpose: str, text: str) -> bytes:
        return hmac.new(self._key, f"{purpose}:{text}".encode("ascii"), hashlib.sha256).digest()

    def _conversation_id(self, nonce: str) -> str:
        return WEB_CONVERSATION_PREFIX + self._mac("conversation", nonce)[:16].hex()

    def issue(self) -> IssuedSession:
        nonce = _b64(secrets.token_bytes(16))
        body = f"{TOKEN_VERSION}.{int(self._clock())}.{nonce}"
        token = f"{body}.{_b64(self._mac('token', body)[:16])}"
        return IssuedSession(token, self._conversation_id(nonce))

    def verify(self, token: Any) -> Optional[IssuedSession]:
        """The session a token stands for, or None if this server did not issue it (or it expired)."""
        if not isinstance(token, str) or len(token) > 128:
            return None
        parts = token.split(".")
        if len(parts) != 4 or parts[0] != TOKEN_VERSION:
            return None
        version, issued, nonce, tag = parts
        body = f"{version}.{issued}.{nonce}"
        try:
            expected = _b64(self._mac("token", body)[:16])
            issued_at = int(issued)
            if len(_unb64(nonce)) != 16:
                return None
        except (ValueError, UnicodeEncodeError):
            return None
        if not hmac.compare_digest(expected, tag):
            return None
        age = self._clock() - issued_at
        if age < -60 or age > self.max_age_seconds:
            return None
        return IssuedSession(token, self._conversation_id(nonce))
