"""Who may use the REST channel: the practice's own integrations and tests, nothing else.

The REST channel names its conversation in the request (`sender`), so it must never accept the
ids the web chat and SMS channels issue (`web-...`, `sms-...`): those appear in notifications,
review links and logs, and anyone who saw one could write into that conversation. And wherever
the channel can be reached from another machine it needs a bearer token
(`CONFIDANT_REST_TOKEN`, `Authorization: Bearer <token>`, compared in constant time). The
production profile requires the token (`CONFIDANT_REST_TOKEN_REQUIRED=1`, set by
scripts/run_production.sh): the server then refuses to start without it, as it does when it
listens on anything but loopback. The local default, on 127.0.0.1, may stay open.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from dataclasses import dataclass
from typing import Mapping, Optional

TOKEN_ENV_VAR = "CONFIDANT_REST_TOKEN"
TOKEN_REQUIRED_ENV_VAR = "CONFIDANT_REST_TOKEN_REQUIRED"
MIN_TOKEN_CHARS = 32
_BEARER = "bearer "


class RestAccessError(ValueError):
    """The REST channel cannot run as configured; the message says what to set."""


def _truthy(value: Optional[str]) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def is_loopback(host: Optional[str]) -> bool:
    """True if a server bound to `host` can be reached from this machine only."""
    if not host:
        return False
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class RestAccess:
    """The channel's token (None: open) and whether one is required."""

    token: Optional[str]
    required: bool

    @classmethod
    def from_environment(cls, environ: Optional[Mapping[str, str]] = None) -> "RestAccess":
        env = os.environ if environ is None else environ
        token = (env.get(TOKEN_ENV_VAR) or "").strip() or None
        access = cls(token=token, required=_truthy(env.get(TOKEN_REQUIRED_ENV_VAR)))
        access.check_startup(host=None)
        return access

    def check_startup(self, host: Optional[str]) -> None:
        """Raise `RestAccessError` if the channel would be reachable without a token it needs."""
        if self.token is not None and len(self.token) < MIN_TOKEN_CHARS:
            raise RestAccessError(
                f"{TOKEN_ENV_VAR} must be at least {MIN_TOKEN_CHARS} characters of random secret "
                "(python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if self.token is None and self.required:
            raise RestAccessError(
                f"The REST channel requires a token in this profile: set {TOKEN_ENV_VAR} "
                "(python -c 'import secrets; print(secrets.token_hex(32))'); integrations then send "
                "'Authorization: Bearer <token>'."
            )
        if self.token is None and host is not None and not is_loopback(host):
            raise RestAccessError(
                f"The REST channel would be reachable from other machines ({host}) without a token: "
                f"set {TOKEN_ENV_VAR}, or listen on 127.0.0.1 (--interface 127.0.0.1)."
            )

    def allows(self, authorization: Optional[str]) -> bool:
        """True if a request with this Authorization header may use the channel."""
        if self.token is None:
            return True
        header = authorization or ""
        if not header[: len(_BEARER)].lower() == _BEARER:
            return False
        offered = header[len(_BEARER) :].strip().encode("utf-8")
        return hmac.compare_digest(offered, self.token.encode("utf-8"))
