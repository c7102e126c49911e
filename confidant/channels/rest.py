"""The REST channel, with every request checked before it reaches a conversation.

Rasa's own REST channel files a message without a sender into one shared "default"
conversation, answers malformed bodies with a server error, and logs the client's text when a
turn fails. This connector keeps the same URL (`/webhooks/rest/webhook`) and reply format, but
refuses what it cannot file safely with a clear 4xx JSON error and logs no client text. It is
for the practice's own integrations and for tests: it never writes into another channel's
conversations, and needs a bearer token wherever it is reachable (`rest_access`).
"""

from __future__ import annotations

import json
import logging
import re
from asyncio import CancelledError
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from confidant.channels.channel_texts import (
    EMPTY,
    NOT_SAVED,
    RATE_LIMITED,
    TIMEOUT,
    TOO_LONG,
    TURN_FAILED,
    ChannelTexts,
    channel_texts,
)
from confidant.channels.client_text import as_client_text
from confidant.channels.conversation_ids import ISSUED_PREFIXES, issued_prefix_of
from confidant.channels.crisis_reply import crisis_messages_for, crisis_replies
from confidant.channels.rate_limits import (
    RateLimiter,
    Refusal,
    client_address,
    shared_rate_limiter,
    trusted_networks,
)
from confidant.channels.rest_access import RestAccess, RestAccessError
from confidant.settings import current_settings
from confidant.store.turn_storage import watching_storage

logger = logging.getLogger(__name__)

SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_.:\-]{1,128}$")


@dataclass(frozen=True)
class RestPayload:
    sender: str
    text: str


class PayloadError(ValueError):
    """A request the channel refuses, with the HTTP status and a machine-readable code."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail

    def as_response(self) -> HTTPResponse:
        return response.json({"error": self.code, "detail": self.detail}, status=self.status)


def parse_rest_payload(body: Optional[bytes], max_chars: int, texts: Optional[ChannelTexts] = None) -> RestPayload:
    """Check a webhook body and return what to file, or raise `PayloadError` saying why not.

    A malformed request is the integration's mistake, explained for its developer; a message
    that is empty or too long may be shown to the person who wrote it, so its detail is the
    domain's text.
    """
    texts = texts or channel_texts()
    if not body:
        raise PayloadError(400, "empty_body", 'Send a JSON object: {"sender": ..., "message": ...}.')
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError(400, "not_utf8", "The request body must be UTF-8 encoded JSON.") from None
    try:
        data = json.loads(decoded)
    except ValueError:
        raise PayloadError(400, "invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise PayloadError(400, "invalid_json", "The request body must be a JSON object.")

    sender = data.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        raise PayloadError(
            400,
            "missing_sender",
            "Every message needs a 'sender': the conversation it belongs to.",
        )
    if not SENDER_PATTERN.match(sender):
        raise PayloadError(
            400,
            "invalid_sender",
            "'sender' must be 1-128 letters, digits, '_', '-', '.' or ':'.",
        )
    if issued_prefix_of(sender) is not None:
        # Web chat and SMS ids appear in notifications, review links and logs: knowing one must
        # not let anyone write into that conversation.
        raise PayloadError(
            403,
            "other_channel_sender",
            f"Conversations whose id starts with {' or '.join(repr(p) for p in ISSUED_PREFIXES)} belong to "
            "another channel; the REST channel cannot write into them.",
        )

    text = data.get("message")
    if not isinstance(text, str):
        raise PayloadError(400, "missing_message", "Every request needs a 'message' string.")
    # Typed text is words, never an intent payload (only the assistant's buttons send those).
    text = as_client_text(text)
    if not text.strip():
        raise PayloadError(400, "empty_message", texts.web(EMPTY))
    if "\x00" in text:
        raise PayloadError(400, "invalid_message", "The message contains a NUL character.")
    if len(text) > max_chars:
        raise PayloadError(413, "message_too_long", texts.web(TOO_LONG))
    return RestPayload(sender=sender, text=text)


class RestConfigurationError(RasaException):
    """The REST channel cannot start as configured; the message says what to set."""


class GuardedRestInput(InputChannel):
    """REST input for the practice's own integrations and for tests."""

    def __init__(
        self,
        max_message_chars: Optional[int] = None,
        access: Optional[RestAccess] = None,
        limiter: Optional[RateLimiter] = None,
        texts: Optional[ChannelTexts] = None,
    ) -> None:
        settings = current_settings()
        self.settings = settings
        self.texts = texts or channel_texts()  # read at start-up and kept
        self.max_message_chars = max_message_chars or settings.assistant.max_message_chars
        self.access = access if access is not None else RestAccess(token=None, required=False)
        self.limiter = limiter or shared_rate_limiter()
        self.trusted_proxies = trusted_networks(settings.limits.trusted_proxies)

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "GuardedRestInput":
        try:
            return cls(access=RestAccess.from_environment())
        except RestAccessError as error:
            raise RestConfigurationError(str(error)) from None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("confidant_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.listener("before_server_start")
        async def refuse_to_listen_openly(app: Sanic, _: Any) -> None:
            try:
                self.access.check_startup(host=app.state.host)
            except RestAccessError as error:
                logger.critical("REST channel: %s", error)
                raise RestConfigurationError(str(error)) from None
            crisis_replies()  # loaded before the first refusal needs it

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.access.allows(request.headers.get("Authorization")):
                logger.info("REST request refused: unauthorized")
                return response.json(
                    {"error": "unauthorized", "detail": "Send 'Authorization: Bearer <token>' (CONFIDANT_REST_TOKEN)."},
                    status=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            try:
                payload = parse_rest_payload(request.body, self.max_message_chars, self.texts)
            except PayloadError as invalid:
                logger.info("REST request refused: %s", invalid.code)
                return invalid.as_response()

            address = client_address(request.ip, request.headers.get("X-Forwarded-For"), self.trusted_proxies)
            refusal = self.limiter.admit_message(address, payload.sender)
            if refusal is not None:
                return await self._rate_limited(refusal, payload)

            collector = CollectingOutputChannel()
            try:
                with watching_storage() as storage:
                    await on_new_message(
                        UserMessage(
                            payload.text,
                            collector,
                            payload.sender,
                            input_channel=self.name(),
                        )
                    )
            except CancelledError:
                logger.error("REST turn timed out (conversation %s)", payload.sender)
                return self._turn_failed(collector, "timeout")
            except Exception as error:  # noqa: BLE001 - the client must get an answer
                # The class name only: the exception text may quote the client's message.
                logger.error(
                    "REST turn failed (conversation %s): %s",
                    payload.sender,
                    type(error).__name__,
                )
                return self._turn_failed(collector, "turn_failed")
            if storage.unstored:
                return self._turn_failed(collector, "storage_unavailable")
            return response.json(collector.messages)

        return webhook

    async def _rate_limited(self, refusal: Refusal, payload: RestPayload) -> HTTPResponse:
        """429; a risk message still gets the domain's crisis responses (never withheld)."""
        collector = CollectingOutputChannel()
        crisis = await crisis_messages_for(payload.text, collector.name(), payload.sender, self.name())
        for message in crisis:
            await collector.send_response(payload.sender, message)
        logger.warning(
            "REST message refused: rate limit (%s %s, conversation %s)%s",
            refusal.limit,
            refusal.scope,
            payload.sender,
            "; crisis resources sent" if crisis else "",
        )
        body: Dict[str, Any] = {
            "error": refusal.code,
            "detail": self.texts.web(RATE_LIMITED),
            "retry_after": refusal.retry_after_seconds,
            "messages": collector.messages,
        }
        return response.json(body, status=429, headers={"Retry-After": str(refusal.retry_after_seconds)})

    def _turn_failed(self, collector: CollectingOutputChannel, code: str) -> HTTPResponse:
        """503 with whatever the bot already said (a crisis message is never withheld)."""
        return response.json(
            {"error": code, "detail": self.texts.web(FAILURE_TEXTS[code]), "messages": collector.messages},
            status=503,
        )


# A turn that failed: the error code, and the domain text the client is told.
FAILURE_TEXTS = {"timeout": TIMEOUT, "turn_failed": TURN_FAILED, "storage_unavailable": NOT_SAVED}
