"""The SMS channel: Twilio webhooks in, Twilio REST API out, phone numbers kept out of Rasa.

`POST /webhooks/sms/webhook` is Twilio's "a message comes in" webhook. Each request is checked
before anything reaches a conversation: the `X-Twilio-Signature` over the public URL and the
form (forged or unsigned: 403), the account, the fields. The phone number is replaced by a
keyed pseudonym (`sms-<hex>`) that Rasa uses as the conversation id; the number itself is kept
only encrypted, in the channel's own store, to address the replies.

Twilio gets its answer at once (an empty TwiML `<Response/>`); the Rasa turn and the sends run
in the background, one conversation after another per phone and in parallel across phones.
Replies use the `channel: sms` response variants, are cut into numbered parts of at most 300
characters, and offer buttons as numbered choices. A send that still fails after retries, or
that is held back because the number opted out, is recorded in the conversation.

STOP/START/HELP keywords are handled here, before Rasa, consistently with Twilio's own opt-out
handling. `POST /webhooks/sms/fallback` answers Twilio's fallback URL with static TwiML (crisis
lines and the practice's phone); `python -m confidant.channels.sms.fallback` serves the same
answer from a separate process, for when Rasa itself is down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from asyncio import CancelledError
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from confidant.channels.channel_texts import (
    RATE_LIMITED,
    SMS_FALLBACK,
    SMS_HELP,
    SMS_TEXT_ONLY,
    TOO_LONG,
    ChannelTexts,
    channel_texts,
)
from confidant.channels.client_text import as_client_text
from confidant.channels.crisis_reply import crisis_messages_for, crisis_replies
from confidant.channels.rate_limits import RateLimiter, Refusal, shared_rate_limiter
from confidant.channels.rest import PayloadError
from confidant.channels.sms.config import SmsConfig, SmsConfigurationError
from confidant.channels.sms.outbound import (
    TWILIO_OPTED_OUT,
    OutgoingReply,
    SmsOutputChannel,
    TwilioSender,
    make_twilio_client,
)
from confidant.channels.sms.pseudonyms import PseudonymKeyError, load_pseudonym_key, pseudonym_for
from confidant.channels.sms.signature import (
    SIGNATURE_HEADER,
    FormError,
    FormParams,
    SignatureCheck,
    first,
    parse_form,
    public_request_url,
)
from confidant.channels.sms.store import SmsStore
from confidant.channels.sms.text import (
    SMS_PART_LIMIT,
    chosen_payload,
    keyword_in,
    render_reply,
    split_for_sms,
    twiml,
)
from confidant.settings import PracticeSettings, current_settings
from confidant.store.turn_storage import watching_storage

logger = logging.getLogger(__name__)

TWIML_CONTENT_TYPE = "text/xml; charset=utf-8"
DRAIN_SECONDS = 20.0


@dataclass(frozen=True)
class Turn:
    """An inbound message to hand to Rasa, under the conversation's pseudonym."""

    pseudonym: str
    text: str


@dataclass(frozen=True)
class RateRefused:
    """A message a rate limit keeps from Rasa; the answer is decided in `SmsInput.answer_refused`."""

    pseudonym: str
    text: str
    refusal: Refusal
    opted_out: bool


@dataclass(frozen=True)
class Inbound:
    """What the webhook does with a verified request: the TwiML to answer, and maybe a turn."""

    twiml: str
    turn: Optional[Turn] = None
    refused: Optional[RateRefused] = None


class SmsInput(InputChannel):
    """Twilio SMS input: `/webhooks/sms/webhook` (messages) and `/webhooks/sms/fallback`."""

    def __init__(
        self,
        config: SmsConfig,
        pseudonym_key: bytes,
        store: SmsStore,
        sender: TwilioSender,
        settings: Optional[PracticeSettings] = None,
        max_message_chars: Optional[int] = None,
        limiter: Optional[RateLimiter] = None,
        texts: Optional[ChannelTexts] = None,
    ) -> None:
        self.config = config
        self.settings = settings or current_settings()
        # Read now and kept: HELP and the crisis fallback still go out if Rasa or the domain fails later.
        self.texts = texts or channel_texts()
        self.max_message_chars = max_message_chars or self.settings.assistant.max_message_chars
        self.store = store
        self.sender = sender
        self._pseudonym_key = pseudonym_key
        self._signatures = SignatureCheck(config.auth_token)
        self._tasks: set[asyncio.Task] = set()
        self._conversation_locks: Dict[str, Tuple[asyncio.Lock, int]] = {}
        # Counted per phone (its pseudonym): a number past a limit gets one short notice a window.
        self.limiter = limiter or shared_rate_limiter()
        self._rate_notice_at: Dict[str, float] = {}

    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "SmsInput":
        config = SmsConfig.from_credentials(credentials)
        try:
            key = load_pseudonym_key()
        except PseudonymKeyError as error:
            raise SmsConfigurationError(str(error)) from None
        sender = TwilioSender(
            lambda: make_twilio_client(config.account_sid, config.auth_token, config.api_base),
            config.twilio_number,
            config.retry,
        )
        return cls(config, key, SmsStore(), sender)

    def pseudonym(self, address: str) -> str:
        return pseudonym_for(address, self._pseudonym_key)

    # ---- the webhook -------------------------------------------------------------------------

    def verify(self, request: Request) -> FormParams:
        """The form of a request Twilio really sent, or `PayloadError` (403 unless it is malformed)."""
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            raise PayloadError(403, "unsigned", f"Requests must carry Twilio's {SIGNATURE_HEADER}.")
        try:
            form = parse_form(request.body)
        except FormError as error:
            raise PayloadError(400, "invalid_form", str(error)) from None
        url = public_request_url(self.config.public_url, request.path, request.query_string)
        if not self._signatures.is_valid(url, form, signature):
            raise PayloadError(403, "bad_signature", "The request signature does not match.")
        if first(form, "AccountSid") != self.config.account_sid:
            raise PayloadError(403, "wrong_account", "The request is for another Twilio account.")
        return form

    def accept(self, form: FormParams, rasa_ready: Callable[[], bool] = lambda: True) -> Inbound:
        """Decide what to do with a verified message: answer at once, and/or start a Rasa turn."""
        address = (first(form, "From") or "").strip()
        if not address:
            raise PayloadError(400, "missing_from", "The message has no 'From'.")
        message_sid = (first(form, "MessageSid") or first(form, "SmsMessageSid") or "").strip()
        if not message_sid:
            raise PayloadError(400, "missing_message_sid", "The message has no 'MessageSid'.")
        body = first(form, "Body")
        if body is None:
            raise PayloadError(400, "missing_body", "The message has no 'Body'.")

        pseudonym = self.pseudonym(address)
        opted_out = self.store.is_opted_out(pseudonym)
        keyword = keyword_in(body, first(form, "OptOutType"), opted_out)
        # Only a numbered choice may send an intent payload: a typed "/intent" is read as words.
        text = as_client_text(body.replace("\x00", ""), allowed=frozenset()).strip()
        needs_rasa = keyword is None and 0 < len(text) <= self.max_message_chars
        if needs_rasa and not rasa_ready():
            # Not 2xx, so Twilio turns to the fallback URL (crisis lines, the practice's phone).
            # The MessageSid is not recorded: nothing was done with this message.
            raise PayloadError(503, "not_ready", "The assistant is starting; try again shortly.")

        if not self.store.first_sighting(message_sid):
            logger.info("SMS already handled, not processed again (conversation %s)", pseudonym)
            return Inbound(twiml())
        self.store.remember_address(pseudonym, address)
        if keyword is not None:
            return self._keyword(pseudonym, keyword.action, keyword.word, opted_out)
        if not text:
            # A picture or an empty text: nothing to ask Rasa. Say what works (unless opted out).
            return Inbound(twiml() if opted_out else self._twiml(self.texts.sms(SMS_TEXT_ONLY)))
        if len(text) > self.max_message_chars:
            logger.info("SMS refused: longer than %d characters (conversation %s)", self.max_message_chars, pseudonym)
            return Inbound(twiml() if opted_out else self._twiml(self.texts.sms(TOO_LONG)))
        refusal = self.limiter.admit_message(pseudonym, pseudonym)
        if refusal is not None:
            return Inbound(twiml(), refused=RateRefused(pseudonym, text, refusal, opted_out))
        return Inbound(twiml(), Turn(pseudonym, text))

    async def answer_refused(self, refused: RateRefused) -> str:
        """No turn. A risk message still gets the crisis responses; otherwise one short notice a window."""
        # Escalated even from an opted-out number (as a turn would be); only the reply is held back.
        crisis = await crisis_messages_for(refused.text, self.name(), refused.pseudonym, self.name())
        logger.warning(
            "SMS refused: rate limit (%s %s, conversation %s)%s",
            refused.refusal.limit,
            refused.refusal.scope,
            refused.pseudonym,
            "; crisis resources sent" if crisis and not refused.opted_out else "",
        )
        if refused.opted_out:
            return twiml()
        if crisis:
            return twiml(*(part for message in crisis for part in render_reply(message.get("text"))))
        now = time.monotonic()
        window = self.settings.limits.window_minutes * 60
        self._rate_notice_at = {key: at for key, at in self._rate_notice_at.items() if now - at < window}
        if refused.pseudonym in self._rate_notice_at:
            return twiml()
        self._rate_notice_at[refused.pseudonym] = now
        return self._twiml(self.texts.sms(RATE_LIMITED))

    def _keyword(self, pseudonym: str, action: str, word: str, opted_out: bool) -> Inbound:
        # Twilio confirms STOP and START itself (and blocks anything we send to an opted-out
        # number), so those get an empty answer; HELP gets the practice's contact line and the crisis line.
        if action == "opt_out":
            self.store.opt_out(pseudonym, word)
            self.store.set_offered_buttons(pseudonym, None)
            logger.info("SMS opt-out recorded (conversation %s)", pseudonym)
            return Inbound(twiml())
        if action == "opt_in":
            if self.store.opt_in(pseudonym):
                logger.info("SMS opt-in recorded (conversation %s)", pseudonym)
            return Inbound(twiml())
        return Inbound(twiml() if opted_out else self._twiml(self.texts.sms(SMS_HELP)))

    def _twiml(self, text: str) -> str:
        return twiml(*split_for_sms(text, SMS_PART_LIMIT))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("confidant_sms_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            def rasa_ready() -> bool:
                agent = getattr(request.app.ctx, "agent", None)
                return agent is not None and agent.is_ready()

            try:
                inbound = self.accept(self.verify(request), rasa_ready)
            except PayloadError as refusal:
                logger.warning("SMS webhook refused: %s", refusal.code)
                return refusal.as_response()
            if inbound.turn is not None:
                self._start(self.run_turn(request.app, on_new_message, inbound.turn))
            if inbound.refused is not None:
                return response.text(await self.answer_refused(inbound.refused), content_type=TWIML_CONTENT_TYPE)
            return response.text(inbound.twiml, content_type=TWIML_CONTENT_TYPE)

        @webhook.route("/fallback", methods=["POST"])
        async def fallback(request: Request) -> HTTPResponse:
            try:
                self.verify(request)
            except PayloadError as refusal:
                logger.warning("SMS fallback refused: %s", refusal.code)
                return refusal.as_response()
            logger.warning("Twilio used the SMS fallback URL: the primary webhook failed")
            return response.text(self._twiml(self.texts.sms(SMS_FALLBACK)), content_type=TWIML_CONTENT_TYPE)

        @webhook.listener("before_server_start")
        async def load_crisis_replies(_: Sanic, __: Any) -> None:
            crisis_replies()  # loaded before the first refusal needs it

        @webhook.listener("before_server_stop")
        async def finish_turns(_: Sanic, __: Any) -> None:
            await self.drain(DRAIN_SECONDS)

        @webhook.listener("after_server_stop")
        async def close(_: Sanic, __: Any) -> None:
            self.sender.close()
            self.store.close()

        return webhook

    # ---- turns in the background ---------------------------------------------------------------

    def _start(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float) -> None:
        """Wait for turns and sends in progress (at shutdown, and in tests)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    @asynccontextmanager
    async def _one_at_a_time(self, pseudonym: str) -> AsyncIterator[None]:
        """Turns of one conversation run in arrival order, each with its replies sent, one at a time."""
        lock, users = self._conversation_locks.get(pseudonym) or (asyncio.Lock(), 0)
        self._conversation_locks[pseudonym] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._conversation_locks[pseudonym]
            if users <= 1:
                del self._conversation_locks[pseudonym]
            else:
                self._conversation_locks[pseudonym] = (lock, users - 1)

    async def run_turn(self, app: Sanic, on_new_message: Callable[[UserMessage], Awaitable[Any]], turn: Turn) -> None:
        async with self._one_at_a_time(turn.pseudonym):
            chosen = chosen_payload(turn.text, self.store.offered_buttons(turn.pseudonym))
            # A numbered choice sends its button's payload, if the assistant offers that payload.
            text = as_client_text(chosen) if chosen else turn.text
            replies: asyncio.Queue[Optional[OutgoingReply]] = asyncio.Queue()
            output = SmsOutputChannel(replies.put_nowait)
            delivery = asyncio.ensure_future(self._deliver_all(turn.pseudonym, replies))
            failed = False
            with watching_storage() as storage:
                try:
                    await on_new_message(UserMessage(text, output, turn.pseudonym, input_channel=self.name()))
                except CancelledError:
                    failed = True
                    logger.error("SMS turn cancelled (conversation %s)", turn.pseudonym)
                except Exception as error:  # noqa: BLE001 - the client must still get an answer
                    failed = True
                    # The class name only: the exception text may quote the client's message.
                    logger.error("SMS turn failed (conversation %s): %s", turn.pseudonym, type(error).__name__)
            if failed and not output.sent_any:
                # Nothing was said: never leave a client in silence; give the crisis lines and a person.
                replies.put_nowait(OutgoingReply(split_for_sms(self.texts.sms(SMS_FALLBACK)), "sms_turn_failed", []))
            replies.put_nowait(None)
            records = await delivery
            if storage.unstored:
                # The replies went out; the turn's events wait in the tracker store's spool.
                logger.error(
                    "SMS turn not stored yet (conversation %s): kept on disk until the database is back", turn.pseudonym
                )
            self.store.set_offered_buttons(turn.pseudonym, output.offered_buttons)
            if records:
                await self.record(app, turn.pseudonym, records)

    async def _deliver_all(
        self, pseudonym: str, replies: "asyncio.Queue[Optional[OutgoingReply]]"
    ) -> List[Dict[str, Any]]:
        records = []
        while (reply := await replies.get()) is not None:
            record = await self.deliver(pseudonym, reply)
            if record:
                records.append(record)
        return records

    async def deliver(self, pseudonym: str, reply: OutgoingReply) -> Optional[Dict[str, Any]]:
        """Send a reply's parts in order; a record of what went wrong, or None if all were sent."""
        total = len(reply.parts)

        def record(status: str, reason: str, sent: int, attempts: int = 0) -> Dict[str, Any]:
            return {
                "status": status,
                "reason": reason,
                "response": reply.response,
                "parts_sent": sent,
                "parts": total,
                "attempts": attempts,
            }

        address = self.store.address_for(pseudonym)
        if address is None:
            logger.error("SMS reply not sent: no phone number on file (conversation %s)", pseudonym)
            return record("failed", "no_address", 0)

        def still_wanted() -> bool:
            return not self.store.is_opted_out(pseudonym)

        for index, part in enumerate(reply.parts):
            if not still_wanted():
                logger.info("SMS reply held back: the number opted out (conversation %s)", pseudonym)
                return record("suppressed", "opted_out", index)
            result = await self.sender.send(address, part, still_wanted)
            if result.opted_out:
                if result.error == TWILIO_OPTED_OUT:
                    # Twilio says this number replied STOP (error 21610): agree with Twilio.
                    self.store.opt_out(pseudonym, "TWILIO_21610")
                logger.info("SMS reply held back: the number opted out (conversation %s)", pseudonym)
                return record("suppressed", "opted_out", index, result.attempts)
            if not result.ok:
                logger.error(
                    "SMS reply not delivered (conversation %s, response %s, part %d of %d): %s after %d attempt(s)",
                    pseudonym,
                    reply.response,
                    index + 1,
                    total,
                    result.error,
                    result.attempts,
                )
                return record("failed", result.error or "unknown", index, result.attempts)
        return None

    async def record(self, app: Sanic, pseudonym: str, records: List[Dict[str, Any]]) -> bool:
        """Add each delivery problem to the conversation, as a bot event with no text (metadata only)."""
        agent = getattr(app.ctx, "agent", None)
        try:
            if agent is None or not agent.is_ready():
                raise RuntimeError("agent not ready")
            async with agent.lock_store.lock(pseudonym):
                tracker = await agent.processor.get_tracker(pseudonym)
                for item in records:
                    tracker.update(BotUttered(metadata={"sms_delivery": item}))
                await agent.processor.save_tracker(tracker)
            return True
        except Exception as error:  # noqa: BLE001 - the log line below is then the only record
            logger.error(
                "Could not record %d SMS delivery problem(s) in conversation %s: %s",
                len(records),
                pseudonym,
                type(error).__name__,
            )
            return False
