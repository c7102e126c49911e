"""Fixtures for the SMS channel: a Twilio API stand-in, signed webhooks, a real Rasa with SMS.

The stand-in is a real HTTP server on loopback that speaks the one part of Twilio's REST API
the channel uses (`POST /2010-04-01/Accounts/<sid>/Messages.json`): it checks the account's
Basic auth, records every message, answers with Twilio-shaped JSON, and can be told to fail
(500, 429, 21610) to exercise retries.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import urllib.error
import urllib.request
import uuid
from collections import deque
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, AsyncIterator, Deque, Dict, Iterator, List, Optional, Set, Tuple
from urllib.parse import parse_qs, urlencode

import pytest
import yaml

from confidant.channels.sms.signature import SignatureCheck
from tests.support.receivers import free_port
from tests.support.servers import ROOT, ManagedProcess, rasa_run_command

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-" + uuid.uuid4().hex
TWILIO_NUMBER = "+15005550006"
PSEUDONYM_KEY = "test-pseudonym-key-" + uuid.uuid4().hex
PUBLIC_URL = "https://sms.harborlight.example"  # what Twilio calls; the proxy forwards to loopback
MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})/Messages\.json$")


@dataclass
class SentSms:
    to: str
    from_: str
    body: str
    sid: str


@dataclass
class TwilioStandIn:
    """Twilio's Messages API on loopback. `fail_next` queues (status, code) answers; `fail_to` fails a number."""

    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    port: int = field(default_factory=free_port)
    sent: List[SentSms] = field(default_factory=list)
    attempts: List[Dict[str, str]] = field(default_factory=list)
    fail_next: Deque[Tuple[int, int]] = field(default_factory=deque)
    fail_to: Dict[str, Tuple[int, int]] = field(default_factory=dict)
    _server: Optional[ThreadingHTTPServer] = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def to(self, number: str) -> List[str]:
        with self._lock:
            return [message.body for message in self.sent if message.to == number]

    def start(self) -> None:
        stand_in = self
        expected_auth = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()

        class Handler(BaseHTTPRequestHandler):
            def _json(self, status: int, payload: Dict[str, Any]) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _error(self, status: int, code: int, message: str) -> None:
                self._json(
                    status,
                    {
                        "code": code,
                        "message": message,
                        "more_info": f"https://www.twilio.com/docs/errors/{code}",
                        "status": status,
                    },
                )

            def do_POST(self) -> None:  # noqa: N802
                match = MESSAGES_PATH.match(self.path)
                if not match or match.group("sid") != stand_in.account_sid:
                    self._error(404, 20404, "The requested resource was not found")
                    return
                if self.headers.get("Authorization") != expected_auth:
                    self._error(401, 20003, "Authenticate")
                    return
                length = int(self.headers.get("Content-Length", "0"))
                form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
                with stand_in._lock:
                    stand_in.attempts.append(form)
                    failure = stand_in.fail_next.popleft() if stand_in.fail_next else stand_in.fail_to.get(form["To"])
                if failure:
                    status, code = failure
                    # Like Twilio's, an error message may quote the number: the channel must not log it.
                    self._error(status, code, f"Unable to send to {form['To']}")
                    return
                sid = "SM" + uuid.uuid4().hex
                with stand_in._lock:
                    stand_in.sent.append(SentSms(form["To"], form["From"], form["Body"], sid))
                now = formatdate(usegmt=True)
                uri = f"/2010-04-01/Accounts/{stand_in.account_sid}/Messages/{sid}"
                self._json(
                    201,
                    {
                        "account_sid": stand_in.account_sid,
                        "api_version": "2010-04-01",
                        "body": form["Body"],
                        "date_created": now,
                        "date_sent": None,
                        "date_updated": now,
                        "direction": "outbound-api",
                        "error_code": None,
                        "error_message": None,
                        "from": form["From"],
                        "messaging_service_sid": None,
                        "num_media": "0",
                        "num_segments": "1",
                        "price": None,
                        "price_unit": "USD",
                        "sid": sid,
                        "status": "queued",
                        "subresource_uris": {"media": f"{uri}/Media.json"},
                        "to": form["To"],
                        "uri": f"{uri}.json",
                    },
                )

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def twilio() -> Iterator[TwilioStandIn]:
    stand_in = TwilioStandIn()
    stand_in.start()
    yield stand_in
    stand_in.stop()


def twilio_form(from_: str, body: str, message_sid: Optional[str] = None, **extra: str) -> Dict[str, str]:
    """The fields Twilio posts for an incoming SMS."""
    sid = message_sid or "SM" + uuid.uuid4().hex
    form = {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "CA",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "US",
        "To": TWILIO_NUMBER,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": from_,
        "ApiVersion": "2010-04-01",
    }
    form.update(extra)
    return form


def sign(url: str, form: Dict[str, str], auth_token: str = AUTH_TOKEN) -> str:
    return SignatureCheck(auth_token).sign(url, {key: [value] for key, value in form.items()})


_phone_numbers = itertools.count(uuid.uuid4().int % 5000)


def new_phone() -> str:
    """A fresh US number in the fictional 555 range (none of the practice's own digits)."""
    return "+1415555" + f"{next(_phone_numbers) % 10000:04d}"


@dataclass
class SmsServer:
    """A real Rasa server with the SMS channel, behind a pretend proxy at PUBLIC_URL."""

    process: ManagedProcess
    url: str
    tracker_db: Path
    sms_db: Path
    env: Dict[str, str]
    phones: Set[str] = field(default_factory=set)

    def post(
        self,
        form: Dict[str, str],
        path: str = "/webhooks/sms/webhook",
        signature: Optional[str] = None,
        signed_url: Optional[str] = None,
    ) -> Tuple[int, str]:
        self.phones.add(form.get("From", ""))
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature is None:
            signature = sign(signed_url or PUBLIC_URL + path, form)
        if signature:
            headers["X-Twilio-Signature"] = signature
        request = urllib.request.Request(self.url + path, data=urlencode(form).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


def _endpoints_for_tests(path: Path) -> Path:
    """endpoints.yml with every ${VAR} unquoted, so Rasa expands it (it skips quoted values)."""
    text = re.sub(r"\"(\$\{[A-Z0-9_]+\})\"", r"\1", (ROOT / "endpoints.yml").read_text())
    path.write_text(text)
    return path


def _credentials_for_tests(path: Path) -> Path:
    """credentials.sms.yml as shipped, with retries shortened so a failed send is recorded quickly."""
    credentials = yaml.safe_load((ROOT / "credentials.sms.yml").read_text())
    text = (ROOT / "credentials.sms.yml").read_text()
    assert "confidant.channels.sms.channel.SmsInput" in credentials
    text = re.sub(r"retry_base_delay: .*", "retry_base_delay: 0.05", text)
    text = re.sub(r"retry_max_delay: .*", "retry_max_delay: 0.2", text)
    path.write_text(text)
    return path


@pytest.fixture(scope="session")
def sms_twilio() -> Iterator[TwilioStandIn]:
    stand_in = TwilioStandIn()
    stand_in.start()
    yield stand_in
    stand_in.stop()


def sms_server_environment(
    server_env: Dict[str, str], database_url: str, state: Path, sms_twilio: "TwilioStandIn"
) -> Dict[str, str]:
    """A Rasa server's environment with the SMS channel pointed at the Twilio stand-in."""
    return {
        **server_env,
        "CONFIDANT_DATABASE_URL": database_url,
        "CONFIDANT_EVENT_SPOOL_DIR": str(state / "event-spool"),
        "CONFIDANT_SMS_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "CONFIDANT_TWILIO_API_BASE": sms_twilio.url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_NUMBER": TWILIO_NUMBER,
        "CONFIDANT_SMS_PUBLIC_URL": PUBLIC_URL,
        # credentials.sms.yml runs the web chat too (tests/channels/test_all_channels.py).
        "CONFIDANT_WEB_SESSION_KEY": "test-web-session-key-" + uuid.uuid4().hex,
    }


@pytest.fixture(scope="session")
def sms_server(
    server_env: Dict[str, str],
    action_server: ManagedProcess,
    sms_twilio: TwilioStandIn,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SmsServer]:
    state = tmp_path_factory.mktemp("sms-state")
    tracker_db = state / "conversations.sqlite3"
    env = sms_server_environment(server_env, f"sqlite:///{tracker_db}", state, sms_twilio)
    port = free_port()
    process = ManagedProcess(
        "rasa-sms",
        rasa_run_command(
            port,
            _endpoints_for_tests(state / "endpoints.yml"),
            _credentials_for_tests(state / "credentials.yml"),
            "--debug",
        ),
        env,
        f"http://127.0.0.1:{port}/webhooks/sms/",
        tmp_path_factory.mktemp("rasa-sms-logs"),
    )
    process.start(timeout=240)
    # The SMS store and its key are the action server's too (server_env): a call-back on SMS
    # copies the client's number from that store into the contact vault.
    yield SmsServer(process, f"http://127.0.0.1:{port}", tracker_db, Path(env["CONFIDANT_SMS_STORE_PATH"]), env)
    process.stop()


# ---- an SMS channel in this process, on a real Sanic server, with a stand-in agent ----------------


class FakeAgent:
    """Just enough of Rasa's Agent for the channel: real lock and tracker stores, scripted replies.

    `script(text)` returns the bot messages for a user message (dicts as Rasa sends them); an
    Exception in the list is raised there, a float is slept.
    """

    def __init__(self, script: Any) -> None:
        from rasa.core.lock_store import InMemoryLockStore
        from rasa.core.tracker_store import InMemoryTrackerStore
        from rasa.shared.core.domain import Domain

        self.script = script
        self.lock_store = InMemoryLockStore()
        self.tracker_store = InMemoryTrackerStore(Domain.empty())
        self.processor = self
        self.received: List[Any] = []
        self.ready = True

    def is_ready(self) -> bool:
        return self.ready

    async def get_tracker(self, conversation_id: str) -> Any:
        return await self.tracker_store.get_or_create_tracker(conversation_id, append_action_listen=False)

    async def save_tracker(self, tracker: Any) -> None:
        await self.tracker_store.save(tracker)

    async def handle_message(self, message: Any) -> None:
        import asyncio

        from rasa.shared.core.events import BotUttered, UserUttered

        async with self.lock_store.lock(message.sender_id):
            self.received.append(message)
            tracker = await self.get_tracker(message.sender_id)
            tracker.update(UserUttered(message.text, input_channel=message.input_channel))
            try:
                for reply in self.script(message.text):
                    if isinstance(reply, BaseException):
                        raise reply
                    if isinstance(reply, float):
                        await asyncio.sleep(reply)
                        continue
                    await message.output_channel.send_response(message.sender_id, dict(reply))
                    tracker.update(BotUttered(reply.get("text"), {"buttons": reply.get("buttons")}))
            finally:
                await self.save_tracker(tracker)

    async def events(self, conversation_id: str) -> List[Dict[str, Any]]:
        tracker = await self.get_tracker(conversation_id)
        return [event.as_dict() for event in tracker.events]


@dataclass
class ChannelUnderTest:
    channel: Any
    agent: FakeAgent
    url: str
    session: Any

    async def post(
        self,
        form: Dict[str, str],
        path: str = "/webhooks/sms/webhook",
        signature: Optional[str] = None,
        body: Optional[bytes] = None,
    ) -> Tuple[int, str]:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature is None:
            signature = sign(PUBLIC_URL + path, form)
        if signature:
            headers["X-Twilio-Signature"] = signature
        data = body if body is not None else urlencode(form).encode()
        async with self.session.post(self.url + path, data=data, headers=headers) as response:
            return response.status, await response.text()

    def pseudonym(self, phone: str) -> str:
        return self.channel.pseudonym(phone)


def make_channel(store_path: Path, twilio_url: str, contact_key: bytes, attempts: int = 3) -> Any:
    from confidant.channels.sms.channel import SmsInput
    from confidant.channels.sms.config import SmsConfig
    from confidant.channels.sms.outbound import RetryPolicy, TwilioSender, make_twilio_client
    from confidant.channels.sms.store import SmsStore

    config = SmsConfig(ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER, PUBLIC_URL, api_base=twilio_url)
    sender = TwilioSender(
        lambda: make_twilio_client(ACCOUNT_SID, AUTH_TOKEN, twilio_url),
        TWILIO_NUMBER,
        RetryPolicy(attempts=attempts, base_delay=0.01, max_delay=0.05),
    )
    return SmsInput(config, PSEUDONYM_KEY.encode(), SmsStore(store_path, key=contact_key), sender)


def _touch_up_once() -> None:
    """Sanic 21.12 rewrites its own HTTP methods when an app starts, and fails doing it a second
    time in one process; Rasa runs one app per process, these tests start one per test."""
    from sanic.touchup.service import TouchUp

    if getattr(TouchUp, "_confidant_once", False):
        return
    original = TouchUp.run.__func__

    def run_once(cls: Any, app: Any) -> None:
        if not getattr(cls, "_confidant_done", False):
            original(cls, app)
            cls._confidant_done = True

    TouchUp.run = classmethod(run_once)
    TouchUp._confidant_once = True


@asynccontextmanager
async def serving(channel: Any, agent: FakeAgent) -> AsyncIterator[ChannelUnderTest]:
    """The channel's blueprint on a real Sanic server on loopback, registered the way Rasa does it."""
    import aiohttp
    from rasa.core.channels.channel import register
    from sanic import Sanic

    _touch_up_once()

    app = Sanic("sms_test_" + uuid.uuid4().hex[:12], configure_logging=False)
    app.ctx.agent = agent
    register([channel], app, "/webhooks/")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        async with aiohttp.ClientSession() as session:
            yield ChannelUnderTest(channel, agent, f"http://127.0.0.1:{port}", session)
    finally:
        await server.before_stop()  # waits for turns in progress
        server.close()
        await server.wait_closed()
        await server.after_stop()
        if hasattr(channel, "sender"):  # the SMS channel's Twilio client and store
            channel.sender.close()
            channel.store.close()


# ---- socket.io: the web chat channel (tests/channels/test_socketio*.py) ---------------------

import asyncio  # noqa: E402

import pytest_asyncio  # noqa: E402

from tests.support.socketio_client import ALLOWED_ORIGIN, ChatClient  # noqa: E402
from tests.support.web_stack import SocketIORasa, shared_socketio_rasa  # noqa: E402


@pytest.fixture(scope="session")
def socketio_rasa(request, server_env, action_server, tmp_path_factory) -> SocketIORasa:
    """The Rasa server the web chat tests share with tests/web (see tests/support/web_stack.py)."""
    return shared_socketio_rasa(request, server_env, tmp_path_factory)


@pytest_asyncio.fixture
async def chat_clients(socketio_rasa) -> Any:
    """Connects socket.io clients (`await chat_clients(origin=...)`); closes them after the test."""
    clients: List[ChatClient] = []

    async def connect(origin: Optional[str] = ALLOWED_ORIGIN) -> ChatClient:
        client = ChatClient(socketio_rasa.url, origin)
        clients.append(client)
        return await client.connect()

    yield connect
    await asyncio.gather(*(client.close() for client in clients))
