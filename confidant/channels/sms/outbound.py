"""Sending replies through Twilio's REST API, off the event loop, retried, never silently lost.

The Twilio client is blocking (requests), so every send runs in a small thread pool of its own:
a slow or rate-limited Twilio holds up that one conversation, not Rasa. A send that fails with
a rate limit (429), a server error (5xx) or a network error is tried again with exponential
back-off, a few times; what still fails is reported to the caller, which records it in the
conversation. Nothing here logs a message text or a phone number (Twilio's own error messages
can quote the number, so only status and error code are kept).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

import requests
from rasa.core.channels.channel import OutputChannel
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from confidant.channels.sms.text import SMS_PART_LIMIT, render_reply

logger = logging.getLogger(__name__)

API_BASE_ENV_VAR = "CONFIDANT_TWILIO_API_BASE"
TWILIO_API_BASE = "https://api.twilio.com"
# Twilio error 21610: the recipient replied STOP; Twilio refuses to message them.
UNSUBSCRIBED_RECIPIENT = 21610
TWILIO_OPTED_OUT = f"twilio_{UNSUBSCRIBED_RECIPIENT}"

# Twilio's HTTP client logs every request and response at INFO; ours stay at WARNING.
_twilio_http_logger = logging.getLogger("confidant.channels.sms.twilio_http")
_twilio_http_logger.setLevel(logging.WARNING)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 8.0

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before attempt number `attempt` (2, 3, ...): doubling, capped, jittered."""
        delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 2))
        return delay * random.uniform(0.75, 1.0)


@dataclass
class SendResult:
    ok: bool
    attempts: int
    # "http_429", "twilio_21211", "ConnectionError"; "opted_out" (ours) or "twilio_21610" (Twilio's).
    error: Optional[str] = None
    opted_out: bool = False
    message_sid: Optional[str] = None


def make_twilio_client(
    account_sid: str, auth_token: str, api_base: Optional[str] = None, timeout: float = 10.0
) -> Client:
    """A Twilio REST client; `api_base` (or CONFIDANT_TWILIO_API_BASE) points it at a stand-in."""
    http_client = TwilioHttpClient(timeout=timeout, logger=_twilio_http_logger)
    client = Client(account_sid, auth_token, http_client=http_client)
    base = (api_base or os.environ.get(API_BASE_ENV_VAR) or "").strip()
    if base:
        # Every API 2010 call builds its URL from this domain's base_url at call time.
        client.api.base_url = base.rstrip("/")
        # Region/edge settings (TWILIO_REGION, TWILIO_EDGE) would rewrite the stand-in's host.
        client.region = None
        client.edge = None
    return client


def _describe_failure(error: BaseException) -> tuple[str, bool]:
    """(error label without any message text, worth retrying?)."""
    if isinstance(error, TwilioRestException):
        status = int(error.status or 0)
        if error.code == UNSUBSCRIBED_RECIPIENT:
            return TWILIO_OPTED_OUT, False
        if status == 429 or status >= 500:
            return f"http_{status}", True
        return (f"twilio_{error.code}" if error.code and error.code != status else f"http_{status}"), False
    if isinstance(error, requests.exceptions.RequestException):
        return type(error).__name__, True
    return type(error).__name__, False


class TwilioSender:
    """Sends one SMS at a time per call, in its own threads, with bounded retries."""

    def __init__(
        self,
        client_factory: Callable[[], Client],
        from_number: str,
        retry: RetryPolicy = RetryPolicy(),
        max_workers: int = 4,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.from_number = from_number
        self.retry = retry
        self._client_factory = client_factory
        self._local = threading.local()
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="confidant-sms-send")
        self._sleep = sleep

    def _client(self) -> Client:
        # One client (and requests session) per send thread: requests sessions aren't thread-safe.
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self._client_factory()
        return client

    def _create(self, to: str, body: str) -> str:
        message = self._client().api.v2010.account.messages.create(to=to, from_=self.from_number, body=body)
        return str(message.sid or "")

    async def send(self, to: str, body: str, still_wanted: Callable[[], bool] = lambda: True) -> SendResult:
        """Send `body` to `to`; retried on 429/5xx/network errors; stops if `still_wanted()` turns False."""
        loop = asyncio.get_running_loop()
        error = "not_attempted"
        for attempt in range(1, self.retry.attempts + 1):
            if attempt > 1:
                await self._sleep(self.retry.delay_before(attempt))
            if not still_wanted():
                return SendResult(False, attempt - 1, "opted_out", opted_out=True)
            try:
                sid = await loop.run_in_executor(self._executor, self._create, to, body)
                return SendResult(True, attempt, message_sid=sid)
            except Exception as failure:  # noqa: BLE001 - classified, never re-raised
                error, retryable = _describe_failure(failure)
                if error == TWILIO_OPTED_OUT:
                    return SendResult(False, attempt, error, opted_out=True)
                if not retryable:
                    return SendResult(False, attempt, error)
                logger.info("SMS send attempt %d of %d failed (%s)", attempt, self.retry.attempts, error)
        return SendResult(False, self.retry.attempts, error)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


@dataclass
class OutgoingReply:
    """One bot message, rendered for SMS; what is sent of it is filled in by delivery."""

    parts: List[str]
    response: Optional[str]  # the domain response name (utter_...), for records; never the text
    buttons: List[Dict[str, Any]]


def _is_crisis_card(message: Dict[str, Any], kind: str) -> bool:
    """The web chat's crisis card: expected on crisis replies; the SMS text names the lines."""
    custom = message.get(kind) if kind == "custom" else None
    return isinstance(custom, dict) and set(custom) == {"crisis_card"}


class SmsOutputChannel(OutputChannel):
    """Rasa's output channel for SMS: renders each bot message and hands it to `deliver`.

    Its name is "sms", so Rasa picks the `channel: sms` variants of every response.
    """

    def __init__(self, deliver: Callable[[OutgoingReply], Any], part_limit: int = SMS_PART_LIMIT) -> None:
        self._deliver = deliver
        self.part_limit = part_limit
        self.offered_buttons: Optional[List[Dict[str, Any]]] = None
        self.sent_any = False

    @classmethod
    def name(cls) -> str:
        return "sms"

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        buttons = list(message.get("buttons") or message.get("quick_replies") or [])
        parts = render_reply(message.get("text"), buttons, self.part_limit)
        for kind in ("image", "attachment", "custom", "elements"):
            if message.get(kind) and not _is_crisis_card(message, kind):
                logger.warning("SMS cannot carry a bot message's %s; sent its text only", kind)
        if buttons:
            self.offered_buttons = buttons
        if parts:
            self.sent_any = True
            outcome = self._deliver(OutgoingReply(parts, message.get("utter_action"), buttons))
            if asyncio.iscoroutine(outcome):
                await outcome

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        """Never as text: Rasa's default would text the JSON (a crisis card) to the client."""
        logger.debug("SMS ignores a custom payload")
