"""Serve the local chat page, with the practice's details and crisis lines written into it.

The crisis lines are part of the page itself, not of the chat, so they are on screen even
when the assistant is down.
"""

from __future__ import annotations

import argparse
import html
import json
import os
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from confidant.settings import PROJECT_ROOT, PracticeSettings, current_settings

WEB_ROOT = PROJECT_ROOT / "web"


def render_page(template: str, settings: PracticeSettings, rasa_url: str) -> str:
    """Fill the page's placeholders; every value is HTML-escaped."""
    values = {
        "practice_name": settings.practice.name,
        "practice_phone": settings.practice.phone,
        "emergency_number": settings.crisis.emergency_number,
        "crisis_lines": settings.crisis_lines_text,
    }
    page = template
    for name, value in values.items():
        page = page.replace("{{" + name + "}}", html.escape(value))
    return page.replace("{{rasa_url_json}}", html.escape(json.dumps(rasa_url), quote=False))


class ChatPageHandler(SimpleHTTPRequestHandler):
    page: bytes = b""

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        if self.path in ("/", "/index.html"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Referrer-Policy", "no-referrer")
            self.end_headers()
            self.wfile.write(self.page)
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("CONFIDANT_WEB_PORT", "8080")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--rasa-url",
        default=f"http://localhost:{os.environ.get('CONFIDANT_RASA_PORT', '5005')}",
    )
    args = parser.parse_args()
    template = (WEB_ROOT / "index.html").read_text(encoding="utf-8")
    ChatPageHandler.page = render_page(template, current_settings(), args.rasa_url).encode("utf-8")
    handler = partial(ChatPageHandler, directory=str(Path(WEB_ROOT)))
    ThreadingHTTPServer((args.host, args.port), handler).serve_forever()


if __name__ == "__main__":
    main()
