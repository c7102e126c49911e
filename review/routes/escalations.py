"""The escalation queue: acknowledge (in the outbox, which stops the second-contact page),
add a note, mark resolved."""

from __future__ import annotations

from sanic import Blueprint
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from confidant.notify.outbox import Escalation
from review import audit
from review.escalation_queue import STATUSES
from review.web.guard import client_address, is_local_path
from review.web.render import page

ACTIVE = "active"
VIEWS = (ACTIVE, *STATUSES, "all")


def _escalation(request: Request, escalation_id: str) -> Escalation:
    escalation = request.app.ctx.services.outbox.escalation(escalation_id)
    if escalation is None:
        raise NotFound("No such escalation.")
    return escalation


def _back(request: Request) -> HTTPResponse:
    target = str(request.form.get("back") or "")
    return redirect(target if is_local_path(target) else "/escalations", status=303)


def blueprint() -> Blueprint:
    bp = Blueprint("escalations")

    @bp.get("/escalations")
    async def queue(request: Request) -> HTTPResponse:
        services = request.app.ctx.services
        view = request.args.get("status") or ACTIVE
        view = view if view in VIEWS else ACTIVE
        items = services.queue.items()
        if view == ACTIVE:
            items = [item for item in items if item.status != "resolved"]
        elif view != "all":
            items = [item for item in items if item.status == view]
        account = request.ctx.session.account
        services.audit.record(
            account.name, audit.VIEW_QUEUE, "escalations", f"status {view}; {len(items)} shown", client_address(request)
        )
        return page(request, "escalations.html", items=items, view=view, views=VIEWS)

    @bp.post("/escalations/<escalation_id>/acknowledge")
    async def acknowledge(request: Request, escalation_id: str) -> HTTPResponse:
        services = request.app.ctx.services
        escalation = _escalation(request, escalation_id)
        account = request.ctx.session.account
        if services.outbox.acknowledge(escalation.id, account.name):
            services.audit.record(
                account.name,
                audit.ACKNOWLEDGE,
                escalation.conversation_id,
                f"escalation {escalation.id}",
                client_address(request),
            )
        return _back(request)

    @bp.post("/escalations/<escalation_id>/notes")
    async def add_note(request: Request, escalation_id: str) -> HTTPResponse:
        services = request.app.ctx.services
        escalation = _escalation(request, escalation_id)
        account = request.ctx.session.account
        try:
            note = services.followup.add_note(
                escalation.conversation_id, escalation.id, account.name, str(request.form.get("body") or "")
            )
        except ValueError as error:
            return page(request, "error.html", status=400, title="Note not saved", message=str(error))
        services.audit.record(
            account.name,
            audit.NOTE,
            escalation.conversation_id,
            f"note {note.id} on escalation {escalation.id}",
            client_address(request),
        )
        return _back(request)

    @bp.post("/escalations/<escalation_id>/resolve")
    async def resolve(request: Request, escalation_id: str) -> HTTPResponse:
        """Resolving also acknowledges: once someone has followed up, nobody else needs paging."""
        services = request.app.ctx.services
        escalation = _escalation(request, escalation_id)
        account = request.ctx.session.account
        address = client_address(request)
        if services.outbox.acknowledge(escalation.id, account.name):
            services.audit.record(
                account.name,
                audit.ACKNOWLEDGE,
                escalation.conversation_id,
                f"escalation {escalation.id} (on resolving)",
                address,
            )
        if services.followup.resolve(escalation.id, escalation.conversation_id, account.name):
            services.audit.record(
                account.name, audit.RESOLVE, escalation.conversation_id, f"escalation {escalation.id}", address
            )
        return _back(request)

    return bp
