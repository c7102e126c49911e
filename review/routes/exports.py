"""Exports of one conversation or of the filtered list, as JSON or CSV.

Masked by default (GET). A POST of the one-conversation export, from the transcript page's
form, exports contact details in full and is audited as a reveal as well as an export.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timezone
from typing import Any, Dict, List

from sanic import Blueprint
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse, raw

from review.storage import audit
from review.web.exports import conversation_record, to_csv, to_json
from review.web.filters import ConversationFilter
from review.web.guard import admin_only, client_address

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}


def _file(records: List[Dict[str, Any]], fmt: str, name: str, exported_by: str) -> HTTPResponse:
    body = to_json(records, exported_by, datetime.now(timezone.utc)) if fmt == "json" else to_csv(records)
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:100]
    return raw(
        body.encode("utf-8"),
        content_type=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{safe_name}.{fmt}"'},
    )


def _format(fmt: str) -> str:
    if fmt not in CONTENT_TYPES:
        raise NotFound("Exports are json or csv.")
    return fmt


async def _one(request: Request, conversation_id: str, fmt: str, reveal: bool) -> HTTPResponse:
    services = request.app.ctx.services
    fmt = _format(fmt)
    messages = await asyncio.to_thread(services.conversations.messages, conversation_id)
    if not messages:
        raise NotFound("No such conversation.")
    items = services.queue.items(conversation_id=conversation_id)
    record = conversation_record(conversation_id, messages, items, reveal, services.practice_contacts)
    account = request.ctx.session.account
    address = client_address(request)
    if reveal:
        services.audit.record(
            account.name, audit.REVEAL, conversation_id, f"contact details in a {fmt} export", address
        )
    services.audit.record(
        account.name,
        audit.EXPORT,
        conversation_id,
        f"{fmt}, contact details {'shown' if reveal else 'masked'}",
        address,
        exported=[conversation_id],
    )
    return _file([record], fmt, f"conversation-{conversation_id}", account.name)


def blueprint() -> Blueprint:
    bp = Blueprint("exports")

    @bp.get("/export/<fmt>")
    @admin_only  # many conversations at once: admins only
    async def export_filtered(request: Request, fmt: str) -> HTTPResponse:
        services = request.app.ctx.services
        fmt = _format(fmt)
        filters = ConversationFilter.from_args(request.args)
        summaries = await asyncio.to_thread(services.conversations.summaries)
        categories = services.queue.categories_by_conversation()
        matching = [
            summary.conversation_id for summary in summaries if filters.matches(summary, categories, services.zone)
        ]
        messages = await asyncio.to_thread(services.conversations.messages_for, matching)
        items = services.queue.items()
        records = [
            conversation_record(
                conversation_id,
                messages[conversation_id],
                [item for item in items if item.escalation.conversation_id == conversation_id],
                False,
                services.practice_contacts,
            )
            for conversation_id in matching
            if messages.get(conversation_id)
        ]
        account = request.ctx.session.account
        services.audit.record(
            account.name,
            audit.EXPORT,
            "conversations",
            f"{fmt}, contact details masked; {filters.describe()}; {len(records)} conversations",
            client_address(request),
            exported=[record["conversation_id"] for record in records],
        )
        return _file(records, fmt, "conversations", account.name)

    @bp.route("/conversations/<conversation_id>/export/<fmt>", methods=["GET"], unquote=True)
    async def export_one(request: Request, conversation_id: str, fmt: str) -> HTTPResponse:
        return await _one(request, conversation_id, fmt, reveal=False)

    @bp.route("/conversations/<conversation_id>/export/<fmt>", methods=["POST"], unquote=True)
    async def export_one_revealed(request: Request, conversation_id: str, fmt: str) -> HTTPResponse:
        return await _one(request, conversation_id, fmt, reveal=True)

    return bp
