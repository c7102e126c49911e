"""Serve the demo practice page with the chat widget, from this machine only.

The page (web/index.html) gets the practice's details and crisis lines written into it, the
crisis lines as call and text buttons (confidant/crisis_card.py): they are part of the page
itself, not of the chat, so they are on screen even when the assistant is down. The chat is the
Rasa web chat widget (npm `rasa-webchat`, installed into web/node_modules
by `npm ci --prefix web`), served from here at /vendor/rasa-webchat.js, so the page loads
nothing from a third-party CDN; a Content-Security-Policy lets it talk only to this server and
the Rasa server. web/chat.js starts the widget with what web/widget_access.js (keyboard, screen
reader, starter questions, crisis reply kept in view) and web/crisis_card.js (the crisis card in
the chat) add to it. Nothing else under web/ is served.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote, urlsplit

from confidant.crisis_card import crisis_card_from_settings, dialable
from confidant.settings import PROJECT_ROOT, PracticeSettings, current_settings
from confidant.yaml_files import load_yaml

WEB_ROOT = PROJECT_ROOT / "web"
WIDGET_BUNDLE = WEB_ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"
WIDGET_ROUTE = "/vendor/rasa-webchat.js"
# The widget's stylesheet imports a font from Google; the page uses the system fonts instead,
# so the browser never contacts a third party.
THIRD_PARTY_FONT_IMPORT = b"@import url(https://fonts.googleapis.com/css?family=Inter:400,500,700&display=swap);"
STATIC_FILES = {
    "/chat.css": ("chat.css", "text/css; charset=utf-8"),
    "/chat.js": ("chat.js", "text/javascript; charset=utf-8"),
    "/crisis_card.js": ("crisis_card.js", "text/javascript; charset=utf-8"),
    "/widget_access.js": ("widget_access.js", "text/javascript; charset=utf-8"),
}
SOCKETIO_PATH = "/socket.io/"
DOMAIN_PATH = PROJECT_ROOT / "domain.yml"
# The FAQ topics offered as starter questions under the welcome, in this order; each button
# sends its answer's `metadata.ask` question from domain.yml.
STARTER_TOPICS = ("what_is_confidentiality", "limits_overview", "tell_parents", "bot_privacy")


def _json_for_script(value: object) -> str:
    """JSON that is safe inside a <script> element (no `</script>`, no `<!--`)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def starter_questions(domain_path: Path = DOMAIN_PATH, topics: Tuple[str, ...] = STARTER_TOPICS) -> List[str]:
    """The `metadata.ask` question of each starter topic's web answer in domain.yml."""
    responses = (load_yaml(domain_path.read_text(encoding="utf-8")) or {}).get("responses") or {}
    questions = []
    for topic in topics:
        variations = responses.get(f"utter_faq/{topic}")
        if not variations:
            raise ValueError(f"starter topic {topic!r} has no answer utter_faq/{topic} in {domain_path}")
        web: Dict[str, Any] = next((v for v in variations if not v.get("channel")), {})
        ask = ((web.get("metadata") or {}).get("ask") or "").strip()
        if not ask:
            raise ValueError(f"starter topic {topic!r}: its web answer has no metadata.ask in {domain_path}")
        questions.append(ask)
    return questions


def widget_config(settings: PracticeSettings, rasa_url: str, starters: Optional[List[str]] = None) -> Dict[str, Any]:
    """What web/chat.js passes to the widget."""
    return {
        "socketUrl": rasa_url,
        "socketPath": SOCKETIO_PATH,
        "title": settings.practice.name,
        "subtitle": "Automated assistant: questions about confidentiality",
        "starters": starter_questions() if starters is None else starters,
    }


def _button(href: str, label: str, number: str, kind: str) -> str:
    """A call or text link styled as a button; the number never breaks across lines."""
    return (
        f'<a class="crisis-button crisis-{kind}" href="{html.escape(href)}">{html.escape(label)} '
        f'<span class="crisis-number">{html.escape(number)}</span></a>'
    )


def call_href(number: str) -> str:
    return "tel:" + dialable(number)


def text_href(number: str, body: Optional[str]) -> str:
    """`sms:` with the word to send, in the form both iOS and Android fill in."""
    return "sms:" + dialable(number) + (f"?&body={quote(body)}" if body else "")


def crisis_card_html(card: Dict[str, Any], practice_name: str, practice_phone: str) -> str:
    """The page footer's crisis card: the same markup web/crisis_card.js builds in the chat."""
    emergency = card["emergency"]
    items = [
        '<li class="crisis-line crisis-emergency">'
        f'<span class="crisis-name">{html.escape(emergency["name"])}</span>'
        f"{_button(call_href(emergency['call']), 'Call', emergency['call'], 'call')}</li>"
    ]
    for line in card["lines"]:
        buttons = []
        if line.get("call"):
            buttons.append(_button(call_href(line["call"]), "Call", line["call"], "call"))
        if line.get("text") and line.get("text_body"):
            label = f"Text {line['text_body']} to"
            buttons.append(_button(text_href(line["text"], line["text_body"]), label, line["text"], "text"))
        elif line.get("text"):
            buttons.append(_button(text_href(line["text"], None), "Text", line["text"], "text"))
        if not buttons:  # words practice.yml gives but no number read from them: still shown
            buttons.append(f'<span class="crisis-how">{html.escape(line.get("how") or "")}</span>')
        note = f'<span class="crisis-note">{html.escape(line["note"])}</span>' if line.get("note") else ""
        items.append(
            f'<li class="crisis-line"><span class="crisis-name">{html.escape(line["name"])}</span>{note}'
            + "".join(buttons)
            + "</li>"
        )
    items.append(
        '<li class="crisis-line crisis-practice">'
        f'<span class="crisis-name">{html.escape(practice_name)}</span>'
        f"{_button(call_href(practice_phone), 'Call us', practice_phone, 'call')}</li>"
    )
    return '<ul class="crisis-lines">' + "".join(items) + "</ul>"


def render_page(template: str, settings: PracticeSettings, rasa_url: str, starters: Optional[List[str]] = None) -> str:
    """Fill the page's placeholders; every value is HTML-escaped (or script-safe JSON)."""
    values = {
        "practice_name": settings.practice.name,
        "practice_phone": settings.practice.phone,
        "retention_days": str(settings.assistant.retention_days),
        "emergency_number": settings.crisis.emergency_number,
    }
    page = template
    for name, value in values.items():
        page = page.replace("{{" + name + "}}", html.escape(value))
    card = crisis_card_html(crisis_card_from_settings(settings), settings.practice.name, settings.practice.phone)
    page = page.replace("{{crisis_card}}", card)
    return page.replace("{{widget_config_json}}", _json_for_script(widget_config(settings, rasa_url, starters)))


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
