"""The sentences a channel sends by itself, without Rasa: read from domain.yml once, and kept.

Some messages never reach a Rasa turn: an SMS "HELP", a picture instead of text, a message that
is empty, too long or over a rate limit, a turn that failed, and Twilio's fallback URL when Rasa
is down. What the client reads then is still a domain response (`utter_sms_*`, `utter_error_*`),
so every client-facing sentence is in domain.yml, where a clinician reviews it and the
readability and SMS-length tests hold it to the rules of every other answer.

The texts are read and filled with the practice's details (practice.yml) when a channel, or
the stand-alone SMS fallback server, starts, and kept in memory: they still go out when Rasa,
its model or the domain file can no longer be read. A domain that lacks one of them, or names
something the practice's settings cannot fill, stops start-up with a message naming it, as a bad
practice.yml does; every one of them names the emergency number.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Union

import yaml

from confidant.response_filling import PLACEHOLDER
from confidant.settings import PROJECT_ROOT, PracticeSettings, current_settings
from confidant.yaml_files import load_yaml

DOMAIN_PATH = PROJECT_ROOT / "domain.yml"
SMS = "sms"
WEB = ""  # the variant without a channel: the web chat's, and the REST channel's `detail`

# Each text a channel sends itself, and the variants it needs (SMS only, or SMS and web).
SMS_HELP = "utter_sms_help"
SMS_FALLBACK = "utter_sms_fallback"
SMS_TEXT_ONLY = "utter_sms_text_only"
TOO_LONG = "utter_error_too_long"
EMPTY = "utter_error_empty"
UNREADABLE = "utter_error_unreadable"
RATE_LIMITED = "utter_error_rate_limited"
TIMEOUT = "utter_error_timeout"
TURN_FAILED = "utter_error_turn_failed"
NOT_SAVED = "utter_error_not_saved"
REQUIRED_VARIANTS: Dict[str, tuple] = {
    SMS_HELP: (SMS,),
    SMS_FALLBACK: (SMS,),
    SMS_TEXT_ONLY: (SMS,),
    TOO_LONG: (WEB, SMS),
    EMPTY: (WEB, SMS),
    UNREADABLE: (WEB, SMS),
    RATE_LIMITED: (WEB, SMS),
    TIMEOUT: (WEB, SMS),
    TURN_FAILED: (WEB, SMS),
    NOT_SAVED: (WEB, SMS),
}
CHANNEL_TEXTS = tuple(REQUIRED_VARIANTS)
# Whatever else a text says, the person reading it learns where help is now.
MUST_NAME = "{emergency_number}"


class ChannelTextError(ValueError):
    """domain.yml cannot give a channel the texts it sends by itself."""


@dataclass(frozen=True)
class ChannelTexts:
    """The filled-in texts, per response name and channel variant (`WEB` or `SMS`)."""

    texts: Mapping[str, Mapping[str, str]]

    def text(self, name: str, channel: Optional[str] = None) -> str:
        """The variant for `channel` ("sms" for SMS; anything else reads the web variant)."""
        variants = self.texts[name]
        return variants[SMS] if channel == SMS or WEB not in variants else variants[WEB]

    def sms(self, name: str) -> str:
        return self.text(name, SMS)

    def web(self, name: str) -> str:
        return self.text(name, WEB)


def load_channel_texts(settings: PracticeSettings, domain_path: Union[str, Path] = DOMAIN_PATH) -> ChannelTexts:
    """Read the channel texts from the domain and fill in the practice's details, or raise `ChannelTextError`."""
    path = Path(domain_path)
    try:
        domain = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ChannelTextError(f"Cannot read the channel texts from {path}: {type(error).__name__}: {error}") from None
    responses = domain.get("responses") if isinstance(domain, dict) else None
    values = settings.response_variables()
    problems = []
    texts: Dict[str, Dict[str, str]] = {}
    for name, needed in REQUIRED_VARIANTS.items():
        variants = _variants((responses or {}).get(name))
        for channel in needed:
            text = variants.get(channel)
            label = f"{name} ({'channel: sms' if channel == SMS else 'web'} variant)"
            if text is None:
                problems.append(f"{label} is missing")
                continue
            if MUST_NAME not in text:
                problems.append(f"{label} must name {MUST_NAME}")
            unknown = sorted(set(PLACEHOLDER.findall(text)) - set(values))
            if unknown:
                problems.append(
                    f"{label} names {', '.join('{' + u + '}' for u in unknown)}, which practice.yml cannot fill"
                )
                continue
            texts.setdefault(name, {})[channel] = PLACEHOLDER.sub(lambda match: values[match.group(1)], text)
    if problems:
        raise ChannelTextError(
            f"{path} cannot give the channels their texts:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    return ChannelTexts(texts)


def _variants(variations: Any) -> Dict[str, str]:
    """channel ("" for none) -> text, the first of each as Rasa picks it."""
    variants: Dict[str, str] = {}
    for variation in variations if isinstance(variations, list) else []:
        if isinstance(variation, dict) and isinstance(variation.get("text"), str) and not variation.get("condition"):
            variants.setdefault(str(variation.get("channel") or WEB), variation["text"])
    return variants


@cache
def channel_texts() -> ChannelTexts:
    """This process's channel texts: the project's domain, read once (at a channel's start)."""
    return load_channel_texts(current_settings())
