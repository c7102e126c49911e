"""Twilio's fallback URL, served by a tiny process that does not need Rasa.

Twilio calls the fallback URL when the primary webhook fails (an error status, a timeout, or
the Rasa server down or still loading its model). The answer is static TwiML: the domain's
`utter_sms_fallback` (the crisis lines and the practice's phone, from practice.yml), so a client
is never left without them. It is read from domain.yml and filled in once, at start-up, and
kept: nothing the server does afterwards depends on Rasa or on reading that file again; a
domain or settings file it cannot read stops it from starting, saying why. The Rasa server
answers the same at `/webhooks/sms/fallback`; this process answers it when Rasa cannot:

    TWILIO_AUTH_TOKEN=... CONFIDANT_SMS_FALLBACK_PUBLIC_URL=https://sms-fallback.example.org \\
        python -m confidant.channels.sms.fallback --port 5006

Requests are signature-checked like the webhook (forged or unsigned: 403). A body is read only
up to its declared Content-Length (digits only, at most 64 KiB), and a client that stalls is
dropped after 10 seconds, so a slow or malformed request cannot hold the server. It logs no
phone number and no message text: only that the fallback was used.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import urlsplit

from confidant.channels.channel_texts import (
    DOMAIN_PATH,
    SMS_FALLBACK,
    ChannelTextError,
    ChannelTexts,
    load_channel_texts,
)
from confidant.channels.sms.signature import (
    SIGNATURE_HEADER,
    FormError,
    SignatureCheck,
    normalise_public_url,
    parse_form,
    public_request_url,
)
from confidant.channels.sms.text import SMS_PART_LIMIT, split_for_sms, twiml
from confidant.settings import SettingsError, current_settings

logger = logging.getLogger("confidant.channels.sms.fallback")

FALLBACK_PATH = "/webhooks/sms/fallback"
AUTH_TOKEN_ENV_VAR = "TWILIO_AUTH_TOKEN"
PUBLIC_URL_ENV_VAR = "CONFIDANT_SMS_FALLBACK_PUBLIC_URL"
MAX_BODY_BYTES = 64 * 1024
# Twilio sends a small form at once; a client that dawdles only holds a thread. Each read waits
# at most this long, and a whole request body must arrive within it too.
REQUEST_TIMEOUT_SECONDS = 10.0


class BodyError(ValueError):
    """A request body the fallback refuses, with the HTTP status and a machine-readable code."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


def declared_length(value: Optional[str], limit: int = MAX_BODY_BYTES) -> int:
    """The body length a Content-Length header declares, if it is one the server will read."""
    if value is None:
        raise BodyError(411, "length_required")
    text = value.strip()
    # Digits only: int() would also take "-1" (read to EOF), "+5", "1_0" or " 5 ".
    if not text.isascii() or not text.isdigit():
        raise BodyError(400, "invalid_length")
    length = int(text)
    if length > limit:
        raise BodyError(413, "too_large")
    return length


def fallback_twiml(texts: ChannelTexts) -> str:
    """The static fallback answer: crisis lines and the practice's phone, in numbered parts if long."""
    return twiml(*split_for_sms(texts.sms(SMS_FALLBACK), SMS_PART_LIMIT))


def make_server(host: str, port: int, auth_token: str, public_url: str, texts: ChannelTexts) -> ThreadingHTTPServer:
    signatures = SignatureCheck(auth_token)
    base_url = normalise_public_url(public_url)
    answer = fallback_twiml(texts).encode("utf-8")  # made once: the answer never needs the domain again

    class Handler(BaseHTTPRequestHandler):
        server_version = "confidant-sms-fallback"
        sys_version = ""
        timeout = REQUEST_TIMEOUT_SECONDS  # http.server sets it on the socket: each read waits this long

        def _read_body(self, length: int) -> bytes:
            """Exactly `length` bytes, all within the request timeout (not one per read)."""
            deadline = time.monotonic() + REQUEST_TIMEOUT_SECONDS
            chunks = []
            remaining = length
            try:
                while remaining > 0:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError("request body too slow")
                    self.connection.settimeout(left)
                    chunk = self.rfile.read1(min(remaining, 16 * 1024))
                    if not chunk:
                        raise BodyError(400, "incomplete_body")
                    chunks.append(chunk)
                    remaining -= len(chunk)
            finally:
                self.connection.settimeout(REQUEST_TIMEOUT_SECONDS)
            return b"".join(chunks)

        def _reply(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if urlsplit(self.path).path in ("/", "/health"):
                self._reply(200, b'{"status": "ok"}', "application/json")
            else:
                self._reply(404, b'{"error": "not_found"}', "application/json")

        def do_POST(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            if parts.path != FALLBACK_PATH:
                self._reply(404, b'{"error": "not_found"}', "application/json")
                return
            try:
                body = self._read_body(declared_length(self.headers.get("Content-Length")))
            except BodyError as refusal:
                self.close_connection = True
                self._reply(refusal.status, json.dumps({"error": refusal.code}).encode(), "application/json")
                return
            except (TimeoutError, OSError):
                logger.warning("SMS fallback request dropped: the body did not arrive in time")
                self.close_connection = True
                return
            try:
                form = parse_form(body)
            except FormError:
                self._reply(400, b'{"error": "invalid_form"}', "application/json")
                return
            url = public_request_url(base_url, parts.path, parts.query)
            if not signatures.is_valid(url, form, self.headers.get(SIGNATURE_HEADER)):
                logger.warning("SMS fallback refused: bad or missing signature")
                self._reply(403, b'{"error": "forbidden"}', "application/json")
                return
            logger.warning("Twilio used the SMS fallback URL: the primary webhook failed")
            self._reply(200, answer, "text/xml; charset=utf-8")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
            # http.server would log each request line; the logs above say all that is needed.
            return

    return ThreadingHTTPServer((host, port), Handler)


def main(argv: Optional[list] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("CONFIDANT_SMS_FALLBACK_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CONFIDANT_SMS_FALLBACK_PORT", "5006")))
    parser.add_argument(
        "--public-url",
        default=os.environ.get(PUBLIC_URL_ENV_VAR),
        help=f"the public base URL Twilio calls this server at (default: ${PUBLIC_URL_ENV_VAR})",
    )
    parser.add_argument(
        "--domain",
        default=str(DOMAIN_PATH),
        help="the domain file with the fallback's wording, utter_sms_fallback (default: the project's domain.yml)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("CONFIDANT_LOG_LEVEL", "INFO"), format="%(asctime)s %(name)s %(message)s")

    auth_token = os.environ.get(AUTH_TOKEN_ENV_VAR, "").strip()
    problems = []
    if not auth_token:
        problems.append(f"set {AUTH_TOKEN_ENV_VAR} (the Twilio auth token, to check request signatures)")
    if not args.public_url:
        problems.append(f"set {PUBLIC_URL_ENV_VAR} or --public-url (the public base URL Twilio calls)")
    if problems:
        print("SMS fallback server cannot start: " + "; ".join(problems), file=sys.stderr)
        raise SystemExit(2)
    try:
        texts = load_channel_texts(current_settings(), args.domain)
        server = make_server(args.host, args.port, auth_token, args.public_url, texts)
    except (SettingsError, ChannelTextError, ValueError) as error:
        print(f"SMS fallback server cannot start: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    logger.info("SMS fallback listening on http://%s:%d%s", args.host, args.port, FALLBACK_PATH)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
