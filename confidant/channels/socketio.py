"""The web chat's socket.io channel, with conversations the server issues and guards.

Rasa's own socket.io channel lets the browser name its conversation (`session_id`), so anyone
who knows or guesses an id can join that conversation, read the replies and write into it; it
accepts every origin, passes client metadata into the tracker, and crashes on a message that is
not a string. This connector keeps the protocol the Rasa web chat widget speaks
(`session_request` -> `session_confirm`, `user_uttered` -> `bot_uttered`) but:

- the server issues every session: a signed, random token the browser keeps for the tab
  (sessionStorage) and shows back after a reload. A token the server did not issue, or one a
  live socket already holds, is ignored and a new session is issued instead;
- the conversation id in the tracker is derived from the token with a server key, so the ids
  that appear in logs, notifications and the review tool cannot be used to join a conversation;
- replies go to the one socket that holds the conversation; the `session_id` a client puts in
  a message is ignored;
- browser origins are limited to `web.allowed_origins` in practice.yml;
- messages are checked like the REST channel's (empty, too long, not a string: an error event
  and a short explanation, never a crash), and no client text is logged;
- new sessions and messages are rate limited per client address and overall (`rate_limits`);
  a refused message that is a risk message still gets the domain's crisis response.
"""

from __future__ import annotations

import asyncio
import logging
import time
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Set

from engineio import packet as engineio_packet
from engineio import payload as engineio_payload
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from confidant.channels.channel_texts import (
    EMPTY,
    NOT_SAVED,
    RATE_LIMITED,
    TOO_LONG,
    TURN_FAILED,
    UNREADABLE,
    ChannelTexts,
    channel_texts,
)
from confidant.channels.client_text import as_client_text
from confidant.channels.crisis_reply import crisis_messages_for, crisis_replies
from confidant.channels.rate_limits import (
    UNKNOWN_ADDRESS,
    RateLimiter,
    Refusal,
    client_address,
    shared_rate_limiter,
    trusted_networks,
)
from confidant.channels.web_sessions import IssuedSession, SessionTokens, load_session_key
from confidant.settings import current_settings
from confidant.store.turn_storage import watching_storage

logger = logging.getLogger(__name__)

# sanic-cors skips a response whose request carries this flag: engine.io answers CORS itself,
# from web.allowed_origins, and a second Access-Control-Allow-Origin header would break it.
_SANIC_CORS_EVALUATED = "_sanic_cors_e"
# The engine.io packets a client sends in a long-polling POST. python-engineio answers any other
# (an "open" or "ping" from the client) by closing the session and waiting until the client
# collects the close packet, which such a client never does: its request hung for 30 s or more.
CLIENT_PACKET_TYPES = frozenset(
    {engineio_packet.CLOSE, engineio_packet.PONG, engineio_packet.MESSAGE, engineio_packet.UPGRADE}
)


def has_packets_no_client_sends(body: bytes) -> bool:
    """True when a polling POST carries an engine.io packet type a client never sends."""
    try:
        packets = engineio_payload.Payload(encoded_payload=body.decode("utf-8")).packets
    except (UnicodeDecodeError, ValueError, IndexError, KeyError):
        return False  # engine.io answers what it cannot decode itself (400)
    return any(found.packet_type not in CLIENT_PACKET_TYPES for found in packets)


class MessageError(ValueError):
    """A socket.io message the channel refuses: a machine-readable code, and the domain's words for the client."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def parse_socket_message(data: Any, max_chars: int, texts: ChannelTexts) -> str:
    """The text of a `user_uttered` event, or raise `MessageError` saying why not.

    The widget shows the detail to the person writing, so every detail is a domain text (with
    the crisis line); the code tells a developer what was wrong.
    """
    if not isinstance(data, dict):
        raise MessageError("invalid_message", texts.web(UNREADABLE))
    text = data.get("message")
    if not isinstance(text, str):
        raise MessageError("missing_message", texts.web(UNREADABLE))
    # Typed text is words, never an intent payload (only the widget's buttons send those).
    text = as_client_text(text)
    if not text.strip():
        raise MessageError("empty_message", texts.web(EMPTY))
    if "\x00" in text:
        raise MessageError("invalid_message", texts.web(UNREADABLE))
    if len(text) > max_chars:
        raise MessageError("message_too_long", texts.web(TOO_LONG))
    return text


class ConversationRefusedError(Exception):
    """A new web chat session that a rate limit refuses."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.limit)
        self.refusal = refusal


class GuardedSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output; replies go to the conversation's room (its one socket)."""

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        # Rasa's version passes the message as keyword arguments to `emit` and fails.
        await self.sio.emit(self.bot_message_evt, json_message, room=recipient_id)


class SocketBlueprint(Blueprint):
    """A blueprint that also attaches the socket.io server to the app it is registered on."""

    def __init__(self, sio: AsyncServer, socketio_path: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.sio = sio
        self.ctx.socketio_path = socketio_path

    def register(self, app: Sanic, options: Dict[str, Any]) -> None:
        self.ctx.sio.attach(app, self.ctx.socketio_path)
        prefix = "/" + self.ctx.socketio_path.strip("/") + "/"

        @app.on_request
        async def engineio_answers_cors(request: Request) -> None:
            if request.path.startswith(prefix):
                setattr(request.ctx, _SANIC_CORS_EVALUATED, True)

        @app.on_request
        async def refuse_packets_no_client_sends(request: Request) -> Optional[HTTPResponse]:
            if (
                request.method == "POST"
                and request.path.startswith(prefix)
                and request.args.get("transport") == "polling"
                and has_packets_no_client_sends(request.body or b"")
            ):
                return response.text("Bad Request", status=400)
            return None

        super().register(app, options)


class GuardedSocketIOInput(InputChannel):
    """socket.io input for the web chat widget."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "GuardedSocketIOInput":
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            error_evt=credentials.get("error_evt", "message_error"),
            namespace=credentials.get("namespace"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            session_max_age_minutes=float(credentials.get("session_max_age_minutes", 12 * 60)),
            takeover_grace_seconds=float(credentials.get("takeover_grace_seconds", 2.0)),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        error_evt: str = "message_error",
        namespace: Optional[str] = None,
        socketio_path: str = "/socket.io",
        session_max_age_minutes: float = 12 * 60,
        takeover_grace_seconds: float = 2.0,
        allowed_origins: Optional[Iterable[str]] = None,
        max_message_chars: Optional[int] = None,
        session_key: Optional[bytes] = None,
        limiter: Optional[RateLimiter] = None,
        texts: Optional[ChannelTexts] = None,
    ) -> None:
        settings = current_settings()
        self.settings = settings
        self.texts = texts or channel_texts()  # read at start-up and kept
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.error_evt = error_evt
        self.namespace = namespace
        self.socketio_path = socketio_path
        self.takeover_grace_seconds = takeover_grace_seconds
        origins = allowed_origins if allowed_origins is not None else settings.web.allowed_origins
        self.allowed_origins: List[str] = [origin.lower() for origin in origins]
        self.max_message_chars = max_message_chars or settings.assistant.max_message_chars
        self.tokens = SessionTokens(session_key or load_session_key(), session_max_age_minutes * 60)
        self.sio: Optional[AsyncServer] = None
        # The live sockets, which conversation each holds, and which socket holds each conversation.
        self._connected: Set[str] = set()
        self._conversation_of: Dict[str, str] = {}
        self._holder_of: Dict[str, str] = {}
        self._binding: Set[str] = set()  # sockets whose session request is being answered
        self.limiter = limiter or shared_rate_limiter()
        self.trusted_proxies = trusted_networks(settings.limits.trusted_proxies)
        self._address_of: Dict[str, str] = {}  # the client address each socket is counted under

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return None
        return GuardedSocketIOOutput(self.sio, self.bot_message_evt)

    def _origin_allowed(self, origin: Optional[str]) -> bool:
        # No Origin header: not a browser, and nothing an Origin check could protect.
        return origin is None or origin.lower() in self.allowed_origins

    async def _bind(self, sio: AsyncServer, sid: str, requested: Any) -> Optional[IssuedSession]:
        """The session for this socket: the one it showed back if that is allowed, else a new one.

        None if the socket went away meanwhile.
        """
        session = self.tokens.verify(requested)
        if session is not None:
            deadline = time.monotonic() + self.takeover_grace_seconds
            # A reload's old socket may not have said goodbye yet: give it a moment.
            while self._holder_of.get(session.conversation_id) not in (None, sid) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            if self._holder_of.get(session.conversation_id) not in (None, sid):
                logger.info(
                    "Web chat session refused: held by another connection (conversation %s)",
                    session.conversation_id,
                )
                session = None
        elif requested is not None:
            logger.info("Web chat session refused: not issued by this server")
        if session is None:
            session = self.tokens.issue()
            outcome = "issued"
        else:
            outcome = "resumed"
        if sid not in self._connected:
            return None
        refusal = self.limiter.admit_conversation(self._address_of.get(sid, UNKNOWN_ADDRESS), session.conversation_id)
        if refusal is not None:
            raise ConversationRefusedError(refusal)
        # No await between the checks above and these assignments: the binding is atomic.
        self._conversation_of[sid] = session.conversation_id
        self._holder_of[session.conversation_id] = sid
        await sio.enter_room(sid, session.conversation_id, namespace=self.namespace)
        logger.info("Web chat session %s (conversation %s)", outcome, session.conversation_id)
        return session

    def _release(self, sid: str) -> None:
        self._connected.discard(sid)
        self._address_of.pop(sid, None)
        conversation_id = self._conversation_of.pop(sid, None)
        if conversation_id and self._holder_of.get(conversation_id) == sid:
            del self._holder_of[conversation_id]

    async def _crisis_reply_if_at_risk(self, sio: AsyncServer, sid: str, data: Any) -> bool:
        """Send the domain's crisis response for a message that will not reach Rasa, if it is a risk message."""
        text = data.get("message") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text.strip() or len(text) > self.max_message_chars:
            return False
        output = GuardedSocketIOOutput(sio, self.bot_message_evt)
        crisis = await crisis_messages_for(text, output.name(), self._conversation_of.get(sid), self.name())
        for message in crisis:
            await output.send_response(sid, message)  # the socket's own room
        return bool(crisis)

    async def _refuse(self, sio: AsyncServer, sid: str, code: str, detail: str) -> None:
        # The machine-readable error, and the same words where the widget shows messages.
        await sio.emit(self.error_evt, {"error": code, "detail": detail}, room=sid, namespace=self.namespace)
        await sio.emit(self.bot_message_evt, {"text": detail}, room=sid, namespace=self.namespace)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.allowed_origins,
            cors_credentials=False,
            # Bounded frames: the longest allowed message in 4-byte characters, and some room.
            max_http_buffer_size=self.max_message_chars * 4 + 64 * 1024,
            logger=False,
            engineio_logger=False,
        )
        self.sio = sio
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "confidant_socketio_webhook", __name__)

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @socketio_webhook.listener("before_server_start")
        async def load_crisis_replies(_: Sanic, __: Any) -> None:
            crisis_replies()  # loaded before the first refusal needs it

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Dict[str, Any], auth: Optional[Dict[str, Any]] = None) -> bool:
            # engine.io has checked the Origin already; this is the same check, kept here too.
            if not self._origin_allowed(environ.get("HTTP_ORIGIN")):
                logger.info("Web chat connection refused: origin not in web.allowed_origins")
                return False
            request = environ.get("sanic.request")
            self._address_of[sid] = client_address(
                getattr(request, "ip", None), environ.get("HTTP_X_FORWARDED_FOR"), self.trusted_proxies
            )
            self._connected.add(sid)
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str, *_: Any) -> None:
            self._release(sid)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None, *_: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            current = self._conversation_of.get(sid)
            if current is None and sid in self._binding:
                logger.info("Web chat session request ignored: one is already being answered")
                return
            if current is not None:
                # One conversation per connection: asking again with the connection's own token
                # confirms it; asking for any other conversation is refused.
                shown = self.tokens.verify(requested)
                if shown is None or shown.conversation_id != current:
                    logger.info("Web chat session request ignored: this socket already holds a conversation")
                    await sio.emit(
                        self.error_evt,
                        {
                            "error": "session_already_bound",
                            "detail": "This connection already has a conversation; reconnect to start another.",
                        },
                        room=sid,
                        namespace=self.namespace,
                    )
                    return
                await sio.emit("session_confirm", shown.token, room=sid, namespace=self.namespace)
                return
            self._binding.add(sid)
            try:
                session = await self._bind(sio, sid, requested)
            except ConversationRefusedError as refused:
                logger.warning(
                    "Web chat session refused: rate limit (%s %s)", refused.refusal.limit, refused.refusal.scope
                )
                await sio.emit(
                    self.error_evt,
                    {
                        "error": refused.refusal.code,
                        "detail": self.texts.web(RATE_LIMITED),
                        "retry_after": refused.refusal.retry_after_seconds,
                    },
                    room=sid,
                    namespace=self.namespace,
                )
                return
            finally:
                self._binding.discard(sid)
            if session is None:  # the socket went away while we waited
                return
            await sio.emit("session_confirm", session.token, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None, *_: Any) -> None:
            conversation_id = self._conversation_of.get(sid)
            if conversation_id is None:
                logger.info("Web chat message refused: no session")
                # E.g. a session refused for rate: a risk message still gets the crisis resources.
                await self._crisis_reply_if_at_risk(sio, sid, data)
                await sio.emit(
                    self.error_evt,
                    {
                        "error": "no_session",
                        "detail": "Ask for a session (session_request) before sending messages.",
                    },
                    room=sid,
                    namespace=self.namespace,
                )
                return
            try:
                text = parse_socket_message(data, self.max_message_chars, self.texts)
            except MessageError as invalid:
                logger.info("Web chat message refused: %s (conversation %s)", invalid.code, conversation_id)
                await self._refuse(sio, sid, invalid.code, invalid.detail)
                return

            refusal = self.limiter.admit_message(self._address_of.get(sid, UNKNOWN_ADDRESS), conversation_id)
            if refusal is not None:
                sent = await self._crisis_reply_if_at_risk(sio, sid, data)
                logger.warning(
                    "Web chat message refused: rate limit (%s %s, conversation %s)%s",
                    refusal.limit,
                    refusal.scope,
                    conversation_id,
                    "; crisis resources sent" if sent else "",
                )
                await self._refuse(sio, sid, refusal.code, self.texts.web(RATE_LIMITED))
                return

            # The conversation comes from the binding, never from the client's `session_id`,
            # and client metadata is not passed into the tracker.
            output = GuardedSocketIOOutput(sio, self.bot_message_evt)
            try:
                with watching_storage() as storage:
                    await on_new_message(UserMessage(text, output, conversation_id, input_channel=self.name()))
            except CancelledError:
                logger.error("Web chat turn cancelled (conversation %s)", conversation_id)
                raise
            except Exception as error:  # noqa: BLE001 - the client must get an answer
                # The class name only: the exception text may quote the client's message.
                logger.error("Web chat turn failed (conversation %s): %s", conversation_id, type(error).__name__)
                await self._refuse(sio, sid, "turn_failed", self.texts.web(TURN_FAILED))
                return
            if storage.unstored:
                # The replies went out; the turn's events wait in the tracker store's spool.
                logger.error(
                    "Web chat turn not stored yet (conversation %s): kept on disk until the database is back",
                    conversation_id,
                )
                notice = {"error": "storage_unavailable", "detail": self.texts.web(NOT_SAVED)}
                await sio.emit(self.error_evt, notice, room=sid, namespace=self.namespace)

        return socketio_webhook
