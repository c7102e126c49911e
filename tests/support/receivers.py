"""A real HTTP webhook receiver and a real SMTP server on loopback, that can go down and up.

By default they speak plain http and SMTP, which Confidant refuses unless a notifier opts in
(`plain_http_local`, `smtp_security: plain_local_relay`): servers started by the tests use a copy
of the fixture practice that does (`practice_for_local_receivers`). Given an `ssl.SSLContext`, the
receiver speaks https and the SMTP server implicit TLS or STARTTLS (tests/support/tls.py).
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, List, Literal, Optional

import yaml
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]


def with_local_receivers(settings: Dict[str, Any]) -> Dict[str, Any]:
    """practice.yml settings whose notifiers opt in to plain http/SMTP on loopback (the test receivers)."""
    escalation = settings["escalation"]
    for notifier in escalation["notifiers"] + escalation.get("second_contact", []):
        if notifier["type"] == "email":
            notifier["smtp_security"] = "plain_local_relay"
        else:
            notifier["plain_http_local"] = True
    return settings


def practice_for_local_receivers(path: Path) -> Path:
    """Write the fixture practice (tests/fixtures/practice.yml), opted in to the plain loopback receivers."""
    from tests.support.practice_file import practice_data

    settings = with_local_receivers(practice_data())
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], Any], timeout: float, interval: float = 0.1) -> Any:
    """Poll until `condition()` is truthy; return its value or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(interval)


class WebhookReceiver:
    """Records every JSON POST it receives; `stop()` and `start()` simulate an outage."""

    def __init__(self, port: Optional[int] = None, tls: Optional[ssl.SSLContext] = None) -> None:
        self.port = port or free_port()
        self.tls = tls
        self.received: List[Dict[str, Any]] = []
        self.headers: List[Dict[str, str]] = []
        self._server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                receiver.received.append(json.loads(self.rfile.read(length)))
                receiver.headers.append(dict(self.headers))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.allow_reuse_address = True
        if self.tls:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class _MailHandler:
    def __init__(self, inbox: List[Any]) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.inbox.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on loopback, collecting the messages it accepts."""

    def __init__(
        self,
        port: Optional[int] = None,
        tls: Optional[ssl.SSLContext] = None,
        mode: Literal["implicit", "starttls"] = "implicit",
    ) -> None:
        self.port = port or free_port()
        self.tls = tls
        self.mode = mode
        self.inbox: List[Any] = []
        self._controller: Optional[Controller] = None

    def start(self) -> None:
        handler = _MailHandler(self.inbox)
        if self.tls and self.mode == "implicit":
            self._controller = Controller(handler, hostname="127.0.0.1", port=self.port, ssl_context=self.tls)
        elif self.tls:
            self._controller = Controller(
                handler,
                hostname="127.0.0.1",
                port=self.port,
                server_kwargs={"tls_context": self.tls, "require_starttls": True},
            )
        else:
            self._controller = Controller(handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None
