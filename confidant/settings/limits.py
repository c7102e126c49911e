"""`assistant:`, `web:` and `limits:` in practice.yml: what clients may send, and from where.

Retention (conversations, and unsent appointment drafts) and message length, the browser
origins the web chat accepts, and the rate limits on new conversations and messages (with the
proxies whose X-Forwarded-For is believed).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Dict, List

from pydantic import ConstrainedStr, Field, validator

from confidant.settings.base import Strict


class AssistantLimits(Strict):
    retention_days: int = Field(default=90, ge=1, le=3650)
    # An appointment request the client never agreed to send (a form left half way) is deleted
    # this long after its last answer; a sent request stays until the conversation's retention.
    appointment_draft_hours: int = Field(default=24, ge=1, le=24 * 30)
    max_message_chars: int = Field(default=20000, ge=500, le=200000)

    @validator("appointment_draft_hours")
    def drafts_go_before_the_conversation(cls, hours: int, values: Dict[str, int]) -> int:  # noqa: N805 - pydantic
        # A draft kept longer than its conversation would outlive the retention period.
        if "retention_days" in values and hours > values["retention_days"] * 24:
            raise ValueError("must not be longer than retention_days")
        return hours


# A browser origin exactly as the browser sends it: scheme, host and optional port, no path.
class WebOrigin(ConstrainedStr):
    """Scheme, host and optional port."""

    strip_whitespace = True
    regex = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")


class WebSettings(Strict):
    allowed_origins: List[WebOrigin] = Field(
        default_factory=lambda: ["http://localhost:8080", "http://127.0.0.1:8080"], min_items=1
    )


class RateLimit(Strict):
    """How many in one window: from one client address, and from everyone together."""

    per_address: int = Field(..., ge=1, le=1_000_000)
    total: int = Field(..., ge=1, le=10_000_000)

    @validator("total")
    def total_covers_one_address(cls, total: int, values: Dict[str, int]) -> int:  # noqa: N805 - pydantic
        if "per_address" in values and total < values["per_address"]:
            raise ValueError("must be at least per_address")
        return total


# An address or network whose X-Forwarded-For is believed, e.g. "127.0.0.1" or "10.0.0.0/8".
class ProxyNetwork(ConstrainedStr):
    """An IPv4 or IPv6 address, optionally with a prefix length."""

    strip_whitespace = True
    regex = re.compile(r"^[0-9A-Fa-f.:]+(/[0-9]{1,3})?$")


class RateLimits(Strict):
    """Limits on new conversations and on messages, on every channel (SMS: per phone pseudonym)."""

    window_minutes: int = Field(default=10, ge=1, le=24 * 60)
    new_conversations: RateLimit = RateLimit(per_address=20, total=500)
    messages: RateLimit = RateLimit(per_address=120, total=3000)
    # Proxies in front of Rasa that set X-Forwarded-For themselves (the production nginx runs on
    # 127.0.0.1). A request from anywhere else is counted under its own socket address.
    trusted_proxies: List[ProxyNetwork] = Field(default_factory=list)

    @validator("trusted_proxies", each_item=True)
    def is_a_network(cls, value: str) -> str:  # noqa: N805 - pydantic
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network") from None
        return value
