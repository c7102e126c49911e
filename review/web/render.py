"""Jinja2 pages, autoescaped everywhere: client text only ever reaches a page as text."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Mapping, Optional, Union
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sanic.request import Request
from sanic.response import HTTPResponse, html

from review.labels import category_label, channel_label, status_label, topic_label, writer_label

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def make_templates(zone: ZoneInfo) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def localtime(moment: Union[datetime, str, None], with_zone: bool = False) -> str:
        if not moment:
            return "—"
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        text = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        return f"{text} {zone.key}" if with_zone else text

    def isotime(moment: Union[datetime, str, None]) -> str:
        """For `<time datetime>`: machine-readable, with the offset."""
        if not moment:
            return ""
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return moment.astimezone(zone).isoformat(timespec="minutes")

    environment.filters["localtime"] = localtime
    environment.filters["isotime"] = isotime
    environment.filters["status"] = status_label
    environment.filters["writer"] = writer_label
    environment.filters["channel"] = channel_label
    environment.filters["topic"] = topic_label
    environment.filters["category"] = category_label
    environment.filters["urlpart"] = lambda value: quote(str(value), safe="")
    environment.globals["with_args"] = with_args
    environment.globals["zone_name"] = zone.key
    return environment


def with_args(path: str, args: Optional[Mapping[str, Any]] = None, **more: Any) -> str:
    """`path` with a query string built from `args` and `more` (empty values left out)."""
    merged = {**(args or {}), **more}
    query = urlencode({key: value for key, value in merged.items() if value not in (None, "")})
    return f"{path}?{query}" if query else path


def _common(request: Request, context: dict) -> dict:
    session = getattr(request.ctx, "session", None)
    context.setdefault("account", session.account if session else None)
    context.setdefault("csrf_token", session.csrf_token if session else "")
    context.setdefault("current_path", request.path)
    return context


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
    """Render `template` with the signed-in account, its CSRF token and the navigation's counts.

    The counts (open alerts, new appointment requests) are numbers only: nothing of a client is
    read for them, so, like the pages' own tallies, they are not an access the audit log records.
    """
    from review.web import alerts  # the queue needs the stores; imported late to keep this module light

    context = _common(request, context)
    services = request.app.ctx.services
    if context["account"] is not None and "alerts" not in context:
        context["alerts"] = alerts.counts(services)
    if context["account"] is not None and "new_appointments" not in context:
        context["new_appointments"] = alerts.new_appointments(services)
    context.setdefault("alerts", None)
    context.setdefault("new_appointments", 0)
    context.setdefault("poll_seconds", int(services.config.poll_seconds))
    body = request.app.ctx.templates.get_template(template).render(**context)
    return html(body, status=status)


def render_fragment(request: Request, template: str, **context: Any) -> str:
    """Part of a page (a queue row, the queue list) for review.js to put in place."""
    return request.app.ctx.templates.get_template(template).render(**_common(request, context))
