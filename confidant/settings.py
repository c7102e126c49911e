"""Load and validate `practice.yml`, the one file a practice edits.

Every process reads its practice details, crisis lines and notifiers through here, so a
mistake in the file is reported once, at start-up, naming the field, instead of surfacing as
a broken sentence in the middle of a conversation.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import date, time
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Literal, Optional, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, Extra, Field, ValidationError, constr, root_validator, validator

from confidant.office_hours import WEEKDAYS, OfficeWeek
from confidant.policy_sections import AddendumError, policy_section_ids, read_addendum
from confidant.practice_answers import BEYOND_POLICY_TOPICS, answer_problems

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


# ---- office hours: when a person at the practice reads messages ----------------------------


class DayHours(_Strict):
    """One day's opening, in the practice's time zone, 24-hour "HH:MM" in quotes."""

    open: time
    close: time

    @validator("open", "close", pre=True)
    @classmethod
    def _quoted_clock_time(cls, value: Any) -> Any:
        # Unquoted, YAML reads 17:00 as the number 1020 (base 60), which would become 00:17.
        if not isinstance(value, str):
            raise ValueError('write the time in quotes, 24-hour, like "09:00" or "17:30"')
        return value

    @root_validator(skip_on_failure=True)
    @classmethod
    def _closes_after_opening(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if values["close"] <= values["open"]:
            raise ValueError("close must be later than open on the same day")
        return values


class WeeklyHours(_Strict):
    """Opening per weekday; a day left out (or null) is closed."""

    monday: Optional[DayHours] = None
    tuesday: Optional[DayHours] = None
    wednesday: Optional[DayHours] = None
    thursday: Optional[DayHours] = None
    friday: Optional[DayHours] = None
    saturday: Optional[DayHours] = None
    sunday: Optional[DayHours] = None

    @root_validator(skip_on_failure=True)
    @classmethod
    def _open_some_day(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if not any(values.get(day) for day in WEEKDAYS):
            raise ValueError("the practice must be open at least one day a week")
        return values


class PracticeDetails(_Strict):
    name: str = Field(..., min_length=1, max_length=60)
    phone: str = Field(..., min_length=3, max_length=30)
    email: str = Field(..., regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    website: str = Field(..., regex=r"^https?://\S+$")
    country: str = Field(..., regex=r"^[A-Z]{2}$")
    # IANA name, e.g. America/New_York: office hours and holidays are in this zone.
    timezone: str
    office_hours: WeeklyHours
    holidays: List[date] = Field(default_factory=list)

    @root_validator(pre=True)
    @classmethod
    def _hours_come_from_office_hours(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if isinstance(values, dict) and "hours" in values:
            raise ValueError(
                "hours is no longer written by hand: it is derived from practice.office_hours (remove practice.hours)"
            )
        return values

    @validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}: use an IANA name like America/New_York") from None
        return value

    @root_validator(skip_on_failure=True)
    @classmethod
    def _hours_text_fits(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        text = _week(values["timezone"], values["office_hours"], values["holidays"]).hours_text()
        if len(text) > HOURS_TEXT_LIMIT:
            raise ValueError(
                f"office_hours read as {text!r}, longer than {HOURS_TEXT_LIMIT} characters: "
                "use fewer different opening times"
            )
        return values

    @property
    def week(self) -> OfficeWeek:
        """The office week for computing when someone will read a message."""
        return _week(self.timezone, self.office_hours, self.holidays)

    @property
    def hours(self) -> str:
        """Office hours as clients read them, derived from `office_hours`."""
        return self.week.hours_text()


HOURS_TEXT_LIMIT = 80


def _week(timezone: str, office_hours: WeeklyHours, holidays: List[date]) -> OfficeWeek:
    hours = {}
    for index, day in enumerate(WEEKDAYS):
        opening = getattr(office_hours, day)
        if opening is not None:
            hours[index] = (opening.open, opening.close)
    return OfficeWeek(ZoneInfo(timezone), hours, frozenset(holidays))


# ---- crisis lines, per kind of writer ---------------------------------------------------

# Who is writing, as the crisis replies in domain.yml distinguish them; `general` is the page
# footer and the `{crisis_line}` / `{crisis_lines}` of every other response.
SITUATIONS = (
    "general",
    "self_at_risk",
    "concern_self_harm",
    "intrusive_thoughts",
    "harming_others",
    "adult_victim_ipv",
    "adult_victim_sexual_assault",
    "child_victim",
    "concern_abuse",
    "abuse_unspecified",
)
# Longest filled-in phrases practice.yml may produce; tests/domain checks responses with them.
FIRST_LINE_LIMIT = 90
LINES_LIMIT = 260
SPANISH_LIMIT = 100

PhoneNumber = constr(strip_whitespace=True, regex=r"^\+?[0-9][0-9 \-]{1,18}[0-9]$")


class CrisisLine(_Strict):
    id: str = Field(..., regex=r"^[a-z][a-z0-9_]*$", max_length=40)
    name: str = Field(..., min_length=1, max_length=60)
    call: Optional[PhoneNumber] = None
    text: Optional[PhoneNumber] = None
    # The word to text, e.g. HOME to 741741.
    text_body: Optional[str] = Field(None, regex=r"^\S+$", max_length=20)
    # Follows "you can": "call or text 988".
    how: str = Field(..., min_length=1, max_length=60)
    note: Optional[str] = Field(None, min_length=1, max_length=100)
    # The same, in Spanish, for `{first_line_spanish}`.
    spanish: Optional[str] = Field(None, min_length=1, max_length=SPANISH_LIMIT)

    @root_validator(skip_on_failure=True)
    @classmethod
    def _reachable(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if not values.get("call") and not values.get("text"):
            raise ValueError("a crisis line needs a number to call or to text (or both)")
        if values.get("text_body") and not values.get("text"):
            raise ValueError("text_body needs a text number")
        return values

    @property
    def first_phrase(self) -> str:
        """The way to reach it, with its name: "call or text 988 (Suicide & Crisis Lifeline)"."""
        return f"{self.how} ({self.name})"

    def card(self) -> Dict[str, Optional[str]]:
        return {"name": self.name, "call": self.call, "text": self.text, "text_body": self.text_body, "note": self.note}


class CrisisSituations(_Strict):
    """The line ids for each kind of writer, in order; the first is the one named first."""

    general: List[str] = Field(..., min_items=1)
    self_at_risk: List[str] = Field(..., min_items=1)
    concern_self_harm: List[str] = Field(..., min_items=1)
    intrusive_thoughts: List[str] = Field(..., min_items=1)
    harming_others: List[str] = Field(..., min_items=1)
    adult_victim_ipv: List[str] = Field(..., min_items=1)
    adult_victim_sexual_assault: List[str] = Field(..., min_items=1)
    child_victim: List[str] = Field(..., min_items=1)
    concern_abuse: List[str] = Field(..., min_items=1)
    abuse_unspecified: List[str] = Field(..., min_items=1)


class CrisisResources(_Strict):
    emergency_number: str = Field(..., min_length=1, max_length=10)
    # What the crisis card calls the emergency number.
    emergency_name: str = Field("Emergency", min_length=1, max_length=30)
    lines: List[CrisisLine] = Field(..., min_items=1)
    situations: CrisisSituations

    @root_validator(skip_on_failure=True)
    @classmethod
    def _situations_name_known_lines(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        ids = [line.id for line in values["lines"]]
        duplicates = sorted({line_id for line_id in ids if ids.count(line_id) > 1})
        if duplicates:
            raise ValueError(f"lines: the id {duplicates[0]!r} is used twice")
        by_id = {line.id: line for line in values["lines"]}
        situations: CrisisSituations = values["situations"]
        for situation in SITUATIONS:
            chosen = getattr(situations, situation)
            for line_id in chosen:
                if line_id not in by_id:
                    raise ValueError(f"situations.{situation}: no line has the id {line_id!r} (see crisis.lines)")
            if len(set(chosen)) != len(chosen):
                raise ValueError(f"situations.{situation}: a line is listed twice")
            lines = [by_id[line_id] for line_id in chosen]
            if len(lines[0].first_phrase) > FIRST_LINE_LIMIT:
                raise ValueError(
                    f"situations.{situation}: the first line reads {lines[0].first_phrase!r}, longer than "
                    f"{FIRST_LINE_LIMIT} characters: shorten its how or name"
                )
            if len(_phrase_list(lines)) > LINES_LIMIT:
                raise ValueError(
                    f"situations.{situation}: its lines read longer than {LINES_LIMIT} characters: "
                    "list fewer or shorten their how or name"
                )
        return values

    def lines_for(self, situation: str) -> List[CrisisLine]:
        """The lines for one kind of writer, in the order practice.yml gives."""
        by_id = {line.id: line for line in self.lines}
        return [by_id[line_id] for line_id in getattr(self.situations, situation)]

    @property
    def spanish(self) -> Optional[str]:
        """The Spanish way to reach help: the first general line that has one, else any line's."""
        for line in self.lines_for("general") + self.lines:
            if line.spanish:
                return line.spanish
        return None

    def crisis_card(self, situation: str) -> Dict[str, Any]:
        """The web chat's crisis card for one kind of writer (the widget's contract)."""
        return {
            "crisis_card": {
                "situation": situation,
                "emergency": {"name": self.emergency_name, "call": self.emergency_number},
                "lines": [line.card() for line in self.lines_for(situation)],
            }
        }


def _phrase_list(lines: List[CrisisLine]) -> str:
    """ "call or text 988 (Lifeline), or text HOME to 741741 (Crisis Text Line)": follows "you can"."""
    phrases = [line.first_phrase for line in lines]
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + ", or " + phrases[-1]


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
    # The URL must be https (certificate and host name verified). true: an http:// URL is also
    # accepted, but only to this machine (127.0.0.1, ::1, localhost), e.g. a local relay or a test.
    plain_http_local: bool = False


# How escalation emails reach the SMTP server. Certificates and host names are always verified.
#   tls:               implicit TLS (SMTPS, usually port 465), the default
#   starttls:          plain connection upgraded with STARTTLS (usually 587); a server that does
#                      not offer STARTTLS is refused, never used in clear
#   plain_local_relay: no encryption, only to a relay on this machine (127.0.0.1, ::1, localhost)
SmtpSecurity = Literal["tls", "starttls", "plain_local_relay"]


class EmailNotifier(_Strict):
    type: Literal["email"]
    name: str
    to: str = Field(..., regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    sender: str = Field(..., regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    smtp_host_env: str
    smtp_port_env: str
    smtp_user_env: Optional[str] = None
    smtp_password_env: Optional[str] = None
    smtp_security: SmtpSecurity = "tls"

    @root_validator(pre=True)
    def _starttls_was_replaced(cls, values: Dict[str, object]) -> Dict[str, object]:  # noqa: N805
        if "starttls" in values:
            raise ValueError(
                "'starttls' was replaced by 'smtp_security' (tls, starttls or plain_local_relay); the default is tls"
            )
        return values


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


# ---- the practice's own answers to questions the policy page does not cover ----------------

SectionId = constr(strip_whitespace=True, regex=r"^[a-z][a-z0-9-]*$")


class PracticeAnswer(_Strict):
    """The practice's answer to one topic, sent instead of the domain's deflection."""

    # Section ids of the policy page (docs/source/SECTIONS.md) or of the addendum.
    sources: List[SectionId] = Field(..., min_items=1)
    web: str = Field(..., min_length=1)
    sms: str = Field(..., min_length=1)


class Addendum(_Strict):
    # The practice's own policy sections (`## <id>: <title>`); a relative path is read from the
    # project folder (where docs/source/ is), so a copy of this file elsewhere finds it too.
    file: Optional[str] = Field(None, min_length=1)
    # Per topic (`insurance`, `school`, ...: practice_answers.BEYOND_POLICY_TOPICS).
    answers: Dict[str, PracticeAnswer] = Field(default_factory=dict)

    @validator("answers", pre=True)
    @classmethod
    def _known_topics(cls, value: Any) -> Any:
        if value is None:
            return {}
        if isinstance(value, dict):
            for topic in value:
                if topic not in BEYOND_POLICY_TOPICS:
                    raise ValueError(
                        f"{topic!r} is not a question the assistant answers beyond the policy page; "
                        f"the topics are {', '.join(BEYOND_POLICY_TOPICS)}"
                    )
        return value


class PracticeSettings(_Strict):
    practice: PracticeDetails
    crisis: CrisisResources
    assistant: AssistantLimits = AssistantLimits()
    web: WebSettings = WebSettings()
    limits: RateLimits = RateLimits()
    escalation: EscalationSettings
    addendum: Addendum = Addendum()

    @property
    def crisis_line(self) -> str:
        """The first general crisis line, phrased to follow 'you can' in a sentence."""
        return self.crisis.lines_for("general")[0].how

    @property
    def crisis_lines_text(self) -> str:
        """Every general crisis line, one phrase each: the page footer and `{crisis_lines}`."""
        return "; ".join(f"{line.name}: {line.how}" for line in self.crisis.lines_for("general"))

    def response_variables(self) -> Dict[str, str]:
        """The values domain responses may name, e.g. `{practice_phone}`, `{lines_child_victim}`.

        `{first_line_spanish}` is there only when some crisis line has a `spanish` phrase.
        """
        variables = {
            "practice_name": self.practice.name,
            "practice_phone": self.practice.phone,
            "practice_email": self.practice.email,
            "practice_website": self.practice.website,
            "practice_hours": self.practice.hours,
            "emergency_number": self.crisis.emergency_number,
            "crisis_line": self.crisis_line,
            "crisis_lines": self.crisis_lines_text,
            "retention_days": str(self.assistant.retention_days),
            "max_message_chars": str(self.assistant.max_message_chars),
        }
        for situation in SITUATIONS:
            lines = self.crisis.lines_for(situation)
            variables[f"first_line_{situation}"] = lines[0].first_phrase
            variables[f"lines_{situation}"] = _phrase_list(lines)
        if self.crisis.spanish:
            variables["first_line_spanish"] = self.crisis.spanish
        return variables


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
        settings = PracticeSettings.parse_obj(raw)
    except ValidationError as error:
        raise SettingsError(_describe(error, settings_path)) from None
    problems = _addendum_problems(settings)
    if problems:
        raise SettingsError(
            f"Practice settings in {settings_path} are not valid:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    return settings


def addendum_path(settings: PracticeSettings) -> Optional[Path]:
    """The addendum file; a relative path is read from the project folder."""
    if not settings.addendum.file:
        return None
    return (PROJECT_ROOT / settings.addendum.file).resolve()


def _addendum_problems(settings: PracticeSettings) -> List[str]:
    """The practice's answers checked against the sections they cite and the wording rules."""
    policy_ids = policy_section_ids()
    citable = set(policy_ids)
    path = addendum_path(settings)
    if path is not None:
        try:
            citable |= set(read_addendum(path, policy_ids))
        except AddendumError as error:
            return [f"addendum.file: {error}"]
    return answer_problems(settings.addendum.answers, settings.response_variables(), citable)


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
    answered = ", ".join(settings.addendum.answers) or "none yet"
    print(f"Practice settings OK: {settings.practice.name} (the practice's own answers: {answered})")


if __name__ == "__main__":
    main()
