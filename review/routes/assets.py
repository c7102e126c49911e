"""The style sheet (the only file served without signing in: the login page needs it) and the script."""

from __future__ import annotations

from pathlib import Path

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, raw

from review.web.guard import public

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def blueprint() -> Blueprint:
    bp = Blueprint("assets")
    stylesheet = (STATIC_DIR / "review.css").read_bytes()
    script = (STATIC_DIR / "review.js").read_bytes()

    @bp.get("/static/review.css")
    @public
    async def css(request: Request) -> HTTPResponse:
        return raw(
            stylesheet, content_type="text/css; charset=utf-8", headers={"Cache-Control": "private, max-age=3600"}
        )

    @bp.get("/static/review.js")
    async def js(request: Request) -> HTTPResponse:
        """For signed-in pages only: the count polling and the queue's in-place actions."""
        return raw(
            script,
            content_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "private, max-age=3600"},
        )

    return bp
