"""Where the review tool finds its data, read once from the environment.

Two URLs for the tracker store on purpose: transcripts are read through a role that can only
SELECT (`CONFIDANT_REVIEW_READ_URL`), while erasure and retention need the privileged one
(`CONFIDANT_DATABASE_URL`), so a bug in a page can never delete or alter a conversation.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Tuple, Union

from confidant.contact_vault import KEY_ENV_VAR
from confidant.settings import PROJECT_ROOT

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

DATABASE_URL_ENV_VAR = "CONFIDANT_DATABASE_URL"
READ_URL_ENV_VAR = "CONFIDANT_REVIEW_READ_URL"
REVIEW_DB_URL_ENV_VAR = "CONFIDANT_REVIEW_DB_URL"
RETENTION_INTERVAL_ENV_VAR = "CONFIDANT_REVIEW_RETENTION_INTERVAL"
TIMEZONE_ENV_VAR = "CONFIDANT_REVIEW_TIMEZONE"
COOKIE_SECURE_ENV_VAR = "CONFIDANT_REVIEW_COOKIE_SECURE"
SESSION_IDLE_ENV_VAR = "CONFIDANT_REVIEW_SESSION_IDLE_MINUTES"
TRUSTED_PROXIES_ENV_VAR = "CONFIDANT_REVIEW_TRUSTED_PROXIES"
POLL_SECONDS_ENV_VAR = "CONFIDANT_REVIEW_POLL_SECONDS"

DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'conversations.sqlite3'}"
DEFAULT_REVIEW_DB_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'review.sqlite3'}"
DEFAULT_PORT = 8090


class ConfigError(ValueError):
    """An environment variable of the review tool has a value it cannot use."""


def _number(environ: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}.") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum:g}.")
    return value


def _networks(environ: Mapping[str, str], name: str) -> Tuple[Network, ...]:
    """Comma-separated addresses or networks (`127.0.0.1`, `10.0.0.0/8`), each checked."""
    networks = []
    for part in (environ.get(name) or "").split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise ConfigError(f"{name}: {part.strip()!r} is not an IP address or network.") from None
    return tuple(networks)


@dataclass(frozen=True)
class ReviewConfig:
    database_url: str
    read_url: str
    review_db_url: str
    outbox_path: Optional[Path] = None
    vault_path: Optional[Path] = None
    # None: the contact vault's own default (a key file under var/).
    contact_key: Optional[bytes] = None
    retention_interval_seconds: float = 3600.0
    # Empty: the practice's time zone (practice.yml `practice.timezone`).
    timezone: str = ""
    cookie_secure: bool = False
    session_idle_minutes: float = 60.0
    session_lifetime_hours: float = 12.0
    page_size: int = 25
    # Reverse proxies whose X-Forwarded-For is believed; from anyone else the header is ignored.
    trusted_proxies: Tuple[Network, ...] = ()
    # How often open pages ask for the number of open escalations.
    poll_seconds: float = 30.0

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "ReviewConfig":
        """The configuration this process runs with; 0 as retention interval turns the schedule off."""
        env = os.environ if environ is None else environ
        database_url = env.get(DATABASE_URL_ENV_VAR) or DEFAULT_DATABASE_URL
        return cls(
            database_url=database_url,
            read_url=env.get(READ_URL_ENV_VAR) or database_url,
            review_db_url=env.get(REVIEW_DB_URL_ENV_VAR) or DEFAULT_REVIEW_DB_URL,
            outbox_path=Path(env["CONFIDANT_OUTBOX_PATH"]) if env.get("CONFIDANT_OUTBOX_PATH") else None,
            vault_path=(Path(env["CONFIDANT_CONTACT_VAULT_PATH"]) if env.get("CONFIDANT_CONTACT_VAULT_PATH") else None),
            contact_key=env[KEY_ENV_VAR].encode("ascii") if env.get(KEY_ENV_VAR) else None,
            retention_interval_seconds=_number(env, RETENTION_INTERVAL_ENV_VAR, 3600.0, 0.0),
            timezone=env.get(TIMEZONE_ENV_VAR) or "",
            cookie_secure=env.get(COOKIE_SECURE_ENV_VAR, "").strip().lower() in ("1", "true", "yes"),
            session_idle_minutes=_number(env, SESSION_IDLE_ENV_VAR, 60.0, 1.0),
            trusted_proxies=_networks(env, TRUSTED_PROXIES_ENV_VAR),
            poll_seconds=_number(env, POLL_SECONDS_ENV_VAR, 30.0, 1.0),
        )
