"""Load and validate `practice.yml`, the one file a practice edits.

Every process reads its practice details, crisis lines and notifiers through here, so a
mistake in the file is reported once, at start-up, naming the field, instead of surfacing as
a broken sentence in the middle of a conversation.
"""

from __future__ import annotations

import ipaddress
import os
from functools import cache
from pathlib import Path
from typing import Dict, List, Literal, Optional, Union

import yaml
from pydantic import BaseModel, Extra, Field, ValidationError, constr, validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SETTINGS_ENV_VAR = "CONFIDANT_SETTINGS"
DEFAULT_SETTINGS_PATH = PROJECT_ROOT / "practice.yml"


class SettingsError(ValueError):
    """The practice settings file is missing or does not say what the assistant needs."""


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True
        allow_mutation = False


class PracticeDetails(_Strict):
    name: str = Field(..., min_length=1, max_length=60)
    phone: str = Field(..., min_length=3, max_length=30)
    email: str = Field(..., regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    website: str = Field(..., regex=r"^https?://\S+$")
    hours: str = Field(..., min_length=1, max_length=80)
    country: str = Field(..., regex=r"^[A-Z]{2}$")


class CrisisLine(_Strict):
    name: str = Field(..., min_length=1, max_length=60)
    how: str = Field(..., min_length=1, max_length=60)


class CrisisResources(_Strict):
    emergency_number: str = Field(..., min_length=1, max_length=10)
    lines: List[CrisisLine] = Field(..., min_items=1)


class AssistantLimits(_Strict):
    retention_days: int = Field(90, ge=1, le=3650)
    max_message_chars: int = Field(20000, ge=500, le=200000)


# A browser origin exactly as the browser sends it: scheme, host and optional port, no path.
WebOrigin = constr(strip_whitespace=True, regex=r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")


class WebSettings(_Strict):
    allowed_origins: List[WebOrigin] = Field(
        default_factory=lambda: ["http://localhost:8080", "http://127.0.0.1:8080"], min_items=1
    )


class RateLimit(_Strict):
    """How many in one window: from one client address, and from everyone together."""

    per_address: int = Field(..., ge=1, le=1_000_000)
    total: int = Field(..., ge=1, le=10_000_000)

    @validator("total")
    def total_covers_one_address(cls, total: int, values: Dict[str, int]) -> int:  # noqa: N805 - pydantic
        if "per_address" in values and total < values["per_address"]:
            raise ValueError("must be at least per_address")
        return total


# An address or network whose X-Forwarded-For is believed, e.g. "127.0.0.1" or "10.0.0.0/8".
ProxyNetwork = constr(strip_whitespace=True, regex=r"^[0-9A-Fa-f.:]+(/[0-9]{1,3})?$")


class RateLimits(_Strict):
    """Limits on new conversations and on messages, on every channel (SMS: per phone pseudonym)."""

    window_minutes: int = Field(10, ge=1, le=24 * 60)
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


class WebhookNotifier(_Strict):
    type: Literal["webhook"]
    name: str
    url_env: str
    token_env: Optional[str] = None


class EmailNotifier(_Strict):
    type: Literal["email"]
    name: str
    to: str = Field(..., regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    sender: str = Field(..., regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    smtp_host_env: str
    smtp_port_env: str
    smtp_user_env: Optional[str] = None
    smtp_password_env: Optional[str] = None
    starttls: bool = False


Notifier = Union[WebhookNotifier, EmailNotifier]


class EscalationSettings(_Strict):
    review_url: str = Field(..., regex=r"^https?://\S+$")
    ack_timeout_minutes: int = Field(30, ge=1, le=24 * 60)
    include_message_text: bool = False
    notifiers: List[Notifier] = Field(..., min_items=1)
    second_contact: List[Notifier] = Field(default_factory=list)
    # Beyond this many new escalations in an hour, each is still recorded for the review queue,
    # but the practice gets ONE "unusual volume" alert instead of a page for every one.
    unusual_volume_per_hour: int = Field(20, ge=1, le=100_000)


class PracticeSettings(_Strict):
    practice: PracticeDetails
    crisis: CrisisResources
    assistant: AssistantLimits = AssistantLimits()
    web: WebSettings = WebSettings()
    limits: RateLimits = RateLimits()
    escalation: EscalationSettings

    @property
    def crisis_line(self) -> str:
        """The first crisis line, phrased to follow 'you can' in a sentence."""
        return self.crisis.lines[0].how

    @property
    def crisis_lines_text(self) -> str:
        """Every crisis line, one phrase each, for the crisis message."""
        return "; ".join(f"{line.name}: {line.how}" for line in self.crisis.lines)

    def response_variables(self) -> Dict[str, str]:
        """The values domain responses may name, e.g. `{practice_phone}`."""
        return {
            "practice_name": self.practice.name,
            "practice_phone": self.practice.phone,
            "practice_email": self.practice.email,
            "practice_website": self.practice.website,
            "practice_hours": self.practice.hours,
            "emergency_number": self.crisis.emergency_number,
            "crisis_line": self.crisis_line,
            "crisis_lines": self.crisis_lines_text,
        }


def _describe(error: ValidationError, path: Path) -> str:
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"] if part != "__root__")
        problems.append(f"  - {field}: {item['msg']}")
    return f"Practice settings in {path} are not valid:\n" + "\n".join(problems)


def load_settings(path: Optional[Union[str, Path]] = None) -> PracticeSettings:
    """Read and validate the settings file; raise `SettingsError` naming each bad field."""
    settings_path = Path(path or os.environ.get(SETTINGS_ENV_VAR) or DEFAULT_SETTINGS_PATH)
    if not settings_path.is_file():
        raise SettingsError(
            f"Practice settings file not found: {settings_path}. Copy practice.yml from the "
            f"repository or set {SETTINGS_ENV_VAR} to its path."
        )
    try:
        raw = yaml.safe_load(settings_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise SettingsError(f"Practice settings in {settings_path} are not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise SettingsError(f"Practice settings in {settings_path} must be a YAML mapping.")
    try:
        return PracticeSettings.parse_obj(raw)
    except ValidationError as error:
        raise SettingsError(_describe(error, settings_path)) from None


@cache
def current_settings() -> PracticeSettings:
    """The settings of this process, read once."""
    return load_settings()


def main() -> None:
    """`python -m confidant.settings`: check the settings file before starting anything."""
    import sys

    try:
        settings = load_settings(sys.argv[1] if len(sys.argv) > 1 else None)
    except SettingsError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    print(f"Practice settings OK: {settings.practice.name}")


if __name__ == "__main__":
    main()
