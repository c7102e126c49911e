"""Serve the demo practice page with the chat widget, from this machine only.

The page (web/index.html) gets the practice's details and crisis lines written into it: they
are part of the page itself, not of the chat, so they are on screen even when the assistant is
down. The chat is the Rasa web chat widget (npm `rasa-webchat`, installed into web/node_modules
by `npm ci --prefix web`), served from here at /vendor/rasa-webchat.js, so the page loads
nothing from a third-party CDN; a Content-Security-Policy lets it talk only to this server and
the Rasa server. Nothing else under web/ is served.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Optional, Tuple
from urllib.parse import urlsplit

from confidant.settings import PROJECT_ROOT, PracticeSettings, current_settings

WEB_ROOT = PROJECT_ROOT / "web"
WIDGET_BUNDLE = WEB_ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"
WIDGET_ROUTE = "/vendor/rasa-webchat.js"
# The widget's stylesheet imports a font from Google; the page uses the system fonts instead,
# so the browser never contacts a third party.
THIRD_PARTY_FONT_IMPORT = b"@import url(https://fonts.googleapis.com/css?family=Inter:400,500,700&display=swap);"
STATIC_FILES = {
    "/chat.css": ("chat.css", "text/css; charset=utf-8"),
    "/chat.js": ("chat.js", "text/javascript; charset=utf-8"),
}
SOCKETIO_PATH = "/socket.io/"


def _json_for_script(value: object) -> str:
    """JSON that is safe inside a <script> element (no `</script>`, no `<!--`)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def widget_config(settings: PracticeSettings, rasa_url: str) -> Dict[str, str]:
    """What web/chat.js passes to the widget."""
    return {
        "socketUrl": rasa_url,
        "socketPath": SOCKETIO_PATH,
        "title": settings.practice.name,
        "subtitle": "Automated assistant: questions about confidentiality",
    }


def render_page(template: str, settings: PracticeSettings, rasa_url: str) -> str:
    """Fill the page's placeholders; every value is HTML-escaped (or script-safe JSON)."""
    values = {
        "practice_name": settings.practice.name,
        "practice_phone": settings.practice.phone,
        "emergency_number": settings.crisis.emergency_number,
        "crisis_lines": settings.crisis_lines_text,
    }
    page = template
    for name, value in values.items():
        page = page.replace("{{" + name + "}}", html.escape(value))
    return page.replace("{{widget_config_json}}", _json_for_script(widget_config(settings, rasa_url)))


def content_security_policy(rasa_url: str) -> str:
    """The page may run its own scripts and talk only to the Rasa server (HTTP and WebSocket)."""
    parts = urlsplit(rasa_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    websocket = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            # The widget adds its styles in <style> elements.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            f"connect-src {origin} {websocket}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def widget_bundle(path: Path = WIDGET_BUNDLE) -> Optional[bytes]:
    """The widget's built JavaScript without its third-party font import, or None if not installed."""
    try:
        return path.read_bytes().replace(THIRD_PARTY_FONT_IMPORT, b"")
    except OSError:
        return None


class ChatPageHandler(BaseHTTPRequestHandler):
    """Answers GET/HEAD for the page, its two files and the widget bundle; 404 for anything else."""

    page: bytes = b""
    bundle: Optional[bytes] = None
    csp: str = "default-src 'none'"
    server_version = "confidant-web"
    sys_version = ""

    def _resolve(self) -> Optional[Tuple[bytes, str, str]]:
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            return self.page, "text/html; charset=utf-8", "no-store"
        if path == WIDGET_ROUTE and self.bundle is not None:
            return self.bundle, "text/javascript; charset=utf-8", "public, max-age=86400"
        if path in STATIC_FILES:
            name, content_type = STATIC_FILES[path]
            try:
                return (WEB_ROOT / name).read_bytes(), content_type, "no-cache"
            except OSError:
                return None
        return None

    def _answer(self, with_body: bool) -> None:
        found = self._resolve()
        body, content_type, cache = found or (b"Not found\n", "text/plain; charset=utf-8", "no-store")
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", self.csp)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - the http.server API
        self._answer(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass


def make_server(
    host: str, port: int, rasa_url: str, settings: Optional[PracticeSettings] = None
) -> ThreadingHTTPServer:
    """The page server, ready to `serve_forever()`."""
    template = (WEB_ROOT / "index.html").read_text(encoding="utf-8")
    handler = type(
        "ConfiguredChatPageHandler",
        (ChatPageHandler,),
        {
            "page": render_page(template, settings or current_settings(), rasa_url).encode("utf-8"),
            "bundle": widget_bundle(),
            "csp": content_security_policy(rasa_url),
        },
    )
    return ThreadingHTTPServer((host, port), handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("CONFIDANT_WEB_PORT", "8080")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--rasa-url",
        default=f"http://localhost:{os.environ.get('CONFIDANT_RASA_PORT', '5005')}",
    )
    args = parser.parse_args()
    server = make_server(args.host, args.port, args.rasa_url)
    if server.RequestHandlerClass.bundle is None:  # type: ignore[attr-defined]
        print(
            f"The chat widget is not installed ({WIDGET_BUNDLE.relative_to(PROJECT_ROOT)} is missing): run "
            "`npm ci --prefix web`. The page and its crisis lines are served without the chat.",
            file=sys.stderr,
        )
    server.serve_forever()


if __name__ == "__main__":
    main()
