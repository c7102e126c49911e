"""The SMS channel's settings from credentials.sms.yml, checked before the channel starts.

Twilio's account, token and number, the public URL Twilio signs, and the send retries: a
missing, unexpanded or malformed value stops Rasa at start-up with a message naming the
environment variable to set, instead of a webhook that rejects every message later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from rasa.shared.exceptions import RasaException

from confidant.channels.sms.outbound import RetryPolicy
from confidant.channels.sms.signature import normalise_public_url

# The credentials keys, and the environment variables credentials.sms.yml takes them from.
REQUIRED_CREDENTIALS = {
    "account_sid": "TWILIO_ACCOUNT_SID",
    "auth_token": "TWILIO_AUTH_TOKEN",
    "twilio_number": "TWILIO_NUMBER",
    "public_url": "CONFIDANT_SMS_PUBLIC_URL",
}
ACCOUNT_SID_PATTERN = re.compile(r"^AC[0-9a-fA-F]{32}$")
E164_PATTERN = re.compile(r"^\+[1-9]\d{6,14}$")


class SmsConfigurationError(RasaException):
    """The SMS channel cannot start; the message names what to set."""


@dataclass(frozen=True)
class SmsConfig:
    account_sid: str
    auth_token: str
    twilio_number: str
    public_url: str
    api_base: Optional[str] = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "SmsConfig":
        credentials = credentials or {}
        values: Dict[str, str] = {}
        for key, env_var in REQUIRED_CREDENTIALS.items():
            value = credentials.get(key)
            text = "" if value is None else str(value).strip()
            if not text:
                raise SmsConfigurationError(
                    f"SMS channel: '{key}' is missing or empty in the credentials file. "
                    f"Set the environment variable {env_var} (credentials.sms.yml reads it as ${{{env_var}}})."
                )
            if "${" in text:
                raise SmsConfigurationError(
                    f"SMS channel: '{key}' is the unexpanded text {text!r}. Set {env_var}, and write "
                    f"${{{env_var}}} without quotes in the credentials file: Rasa expands only unquoted values."
                )
            values[key] = text
        if not ACCOUNT_SID_PATTERN.match(values["account_sid"]):
            raise SmsConfigurationError(
                "SMS channel: account_sid (TWILIO_ACCOUNT_SID) must look like AC + 32 hex digits."
            )
        if not E164_PATTERN.match(values["twilio_number"]):
            raise SmsConfigurationError(
                "SMS channel: twilio_number (TWILIO_NUMBER) must be the practice's Twilio number in E.164 form, "
                "e.g. +15550100100."
            )
        try:
            values["public_url"] = normalise_public_url(values["public_url"])
        except ValueError as error:
            raise SmsConfigurationError(f"SMS channel (CONFIDANT_SMS_PUBLIC_URL): {error}") from None
        retry = RetryPolicy(
            attempts=int(credentials.get("send_attempts") or RetryPolicy.attempts),
            base_delay=float(credentials.get("retry_base_delay") or RetryPolicy.base_delay),
            max_delay=float(credentials.get("retry_max_delay") or RetryPolicy.max_delay),
        )
        if not 1 <= retry.attempts <= 10 or retry.base_delay < 0 or retry.max_delay < retry.base_delay:
            raise SmsConfigurationError(
                "SMS channel: send_attempts must be 1-10 and 0 <= retry_base_delay <= retry_max_delay."
            )
        api_base = str(credentials.get("api_base") or "").strip() or None
        return cls(retry=retry, api_base=api_base, **values)
