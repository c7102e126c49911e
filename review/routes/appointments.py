"""The appointment requests clients sent from the chat: a queue by status, details on request.

The queue shows each request masked (the contact as "phone ending 99", no name or note), how
long it has waited and its status (new, contacted, booked, closed). The details (name, contact,
whether a message may be left, when, the client's note) are decrypted only when a person asks
(a form post), and that reveal is recorded in the audit log, as is every view and status change.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict

from sanic import Blueprint
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from confidant.contact_vault import APPOINTMENT_STATUSES, AppointmentRequest
from review.storage import audit
from review.web.guard import client_address
from review.web.render import page, with_args

OPEN = "open"  # every request not closed yet
VIEWS = (OPEN, *APPOINTMENT_STATUSES, "all")
VIEW_LABELS = {
    OPEN: "Needs follow-up",
    "new": "New",
    "contacted": "Contacted",
    "booked": "Booked",
    "closed": "Closed",
    "all": "All",
}
STATUS_LABELS = {status: VIEW_LABELS[status].lower() for status in APPOINTMENT_STATUSES}
MESSAGE_LABELS = {"yes": "a message there is fine", "no": "do not leave a message"}
DONE_MESSAGES = {status: f"Marked {STATUS_LABELS[status]}." for status in APPOINTMENT_STATUSES}


def _request(request: Request, request_id: str) -> AppointmentRequest:
    """A sent request (never a draft the client is still writing), decrypted; 404 otherwise."""
    try:
        number = int(request_id)
    except ValueError:
        raise NotFound("No such appointment request.") from None
    found = request.app.ctx.services.vault.appointment(number)
    if found is None or found.status not in APPOINTMENT_STATUSES:
        raise NotFound("No such appointment request.")
    return found


def blueprint() -> Blueprint:
    bp = Blueprint("appointments")

    @bp.get("/appointments")
    async def queue(request: Request) -> HTTPResponse:
        services = request.app.ctx.services
        view = request.args.get("status") or OPEN
        view = view if view in VIEWS else OPEN
        every = await asyncio.to_thread(services.vault.appointments)
        tallies: Dict[str, int] = {name: 0 for name in VIEWS}
        for item in every:
            tallies[item.status] += 1
            tallies["all"] += 1
            if item.status != "closed":
                tallies[OPEN] += 1
        if view == OPEN:
            shown = [item for item in every if item.status != "closed"]
        elif view == "all":
            shown = every
        else:
            shown = [item for item in every if item.status == view]
        account = request.ctx.session.account
        services.audit.record(
            account.name,
            audit.VIEW_APPOINTMENTS,
            "appointments",
            f"status {view}; {len(shown)} shown",
            client_address(request),
        )
        context: Dict[str, Any] = {
            "requests": shown,
            "view": view,
            "views": VIEWS,
            "view_labels": VIEW_LABELS,
            "status_labels": STATUS_LABELS,
            "statuses": APPOINTMENT_STATUSES,
            "tallies": tallies,
            "back": with_args("/appointments", status=view),
            "done": DONE_MESSAGES.get(request.args.get("done") or ""),
        }
        return page(request, "appointments.html", **context)

    @bp.post("/appointments/<request_id>/reveal")
    async def reveal(request: Request, request_id: str) -> HTTPResponse:
        services = request.app.ctx.services
        found = _request(request, request_id)
        account = request.ctx.session.account
        services.audit.record(
            account.name,
            audit.REVEAL_APPOINTMENT,
            found.conversation_id,
            f"appointment request {found.id}",
            client_address(request),
        )
        return page(
            request,
            "appointment.html",
            item=found,
            status_labels=STATUS_LABELS,
            statuses=APPOINTMENT_STATUSES,
            message_labels=MESSAGE_LABELS,
            back=with_args("/appointments", status=OPEN),
        )

    @bp.post("/appointments/<request_id>/status")
    async def set_status(request: Request, request_id: str) -> HTTPResponse:
        services = request.app.ctx.services
        found = _request(request, request_id)
        status = str((request.form.get("status") if request.form else "") or "")
        if status not in APPOINTMENT_STATUSES:
            message = "Choose one of: " + ", ".join(STATUS_LABELS[name] for name in APPOINTMENT_STATUSES) + "."
            return page(request, "error.html", status=400, title="Status not changed", message=message)
        account = request.ctx.session.account
        if status != found.status and services.vault.set_appointment_status(found.id, status):
            services.audit.record(
                account.name,
                audit.APPOINTMENT_STATUS,
                found.conversation_id,
                f"appointment request {found.id}: {found.status} -> {status}",
                client_address(request),
            )
        return redirect(with_args("/appointments", status=OPEN, done=status) + f"#appointment-{found.id}", status=303)

    return bp
