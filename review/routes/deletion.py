"""Deleting a conversation on a client's request (admins only, after a confirmation page).

Refused while one of its escalations is still unacknowledged: a client at risk must have been
seen by a person before their conversation can disappear.
"""

from __future__ import annotations

import asyncio

from sanic import Blueprint
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from review.storage import audit
from review.web.guard import admin_only, client_address
from review.web.render import page, with_args


def blueprint() -> Blueprint:
    bp = Blueprint("deletion")

    async def _context(request: Request, conversation_id: str) -> dict:
        services = request.app.ctx.services
        messages = await asyncio.to_thread(services.conversations.messages, conversation_id)
        if not messages:
            raise NotFound("No such conversation.")
        unacknowledged = [
            item for item in services.queue.items(conversation_id=conversation_id) if item.status == "open"
        ]
        return {"conversation_id": conversation_id, "message_count": len(messages), "unacknowledged": unacknowledged}

    @bp.route("/conversations/<conversation_id>/delete", methods=["GET"], unquote=True)
    @admin_only
    async def confirm_delete(request: Request, conversation_id: str) -> HTTPResponse:
        return page(request, "confirm_delete.html", **await _context(request, conversation_id))

    @bp.route("/conversations/<conversation_id>/delete", methods=["POST"], unquote=True)
    @admin_only
    async def delete_conversation(request: Request, conversation_id: str) -> HTTPResponse:
        services = request.app.ctx.services
        context = await _context(request, conversation_id)
        if context["unacknowledged"]:
            return page(request, "confirm_delete.html", status=409, **context)
        erased = await asyncio.to_thread(services.eraser.erase, conversation_id)
        account = request.ctx.session.account
        reason = str(request.form.get("reason") or "").strip()[:200]
        services.audit.record(
            account.name,
            audit.DELETE,
            conversation_id,
            erased.describe() + (f"; reason {services.audit.fingerprint(reason)}" if reason else ""),
            client_address(request),
        )
        return redirect(with_args("/conversations", deleted=conversation_id), status=303)

    return bp
