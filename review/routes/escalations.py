"""The escalation queue: acknowledge (in the outbox, which stops the second-contact page),
add a note, mark resolved (confirmed; not before acknowledging unless a reason is given),
reopen; and the open-alert count every page polls.

Every action answers a plain form post with a redirect back to the same row (`#escalation-…`)
and a confirmation; a post from review.js (`Accept: application/json`) gets the row's new HTML
and the confirmation as JSON instead, so the page stays where it is.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional
from urllib.parse import parse_qsl

from sanic import Blueprint
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sanic.response import json as json_response

from confidant.notify.records import Escalation
from review.storage import audit
from review.storage.escalation_queue import STATUSES, QueueItem
from review.web import alerts
from review.web.guard import client_address, is_local_path
from review.web.render import page, render_fragment, with_args

ACTIVE = "active"
VIEWS = (ACTIVE, *STATUSES, "all")
VIEW_LABELS = {
    ACTIVE: "Needs follow-up",
    "open": "Not acknowledged",
    "acknowledged": "Acknowledged",
    "resolved": "Resolved",
    "all": "All",
}
# What a finished action says; the redirect names one of these keys, never free text.
DONE_MESSAGES = {
    "acknowledged": "Acknowledged. The second contact will not be paged.",
    "noted": "Note saved.",
    "resolved": "Marked resolved.",
    "reopened": "Reopened: the escalation needs follow-up again.",
}
MAX_REASON_CHARS = 500


class ActionRefusedError(Exception):
    """An action that cannot be done as asked; the message says what to do instead."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def _escalation(request: Request, escalation_id: str) -> Escalation:
    escalation = request.app.ctx.services.outbox.escalation(escalation_id)
    if escalation is None:
        raise NotFound("No such escalation.")
    return escalation


def wants_json(request: Request) -> bool:
    return "application/json" in (request.headers.get("Accept") or "")


def _item(request: Request, escalation: Escalation) -> QueueItem:
    items = request.app.ctx.services.queue.items(conversation_id=escalation.conversation_id)
    return next(item for item in items if item.escalation.id == escalation.id)


def ordered(items: List[QueueItem]) -> List[QueueItem]:
    """Unacknowledged first, the longest waiting at the top; then the rest, newest first."""
    waiting = sorted((item for item in items if item.status == "open"), key=lambda item: item.escalation.created_at)
    rest = [item for item in items if item.status != "open"]
    return waiting + rest


def _form_text(request: Request, name: str, limit: int) -> str:
    return str((request.form.get(name) if request.form else "") or "").strip()[:limit]


def _answer(request: Request, escalation: Escalation, done: str) -> HTTPResponse:
    """Back to the row the action was on, confirmed: JSON for review.js, else a redirect."""
    if wants_json(request):
        services = request.app.ctx.services
        row = alerts.rows_for(services, [_item(request, escalation)])[0]
        back = _form_text(request, "back", 500)
        html = render_fragment(
            request,
            "_queue_row.html",
            row=row,
            back=back if is_local_path(back) else "/escalations",
            show_conversation=_form_text(request, "context", 20) != "transcript",
        )
        items = services.queue.items()
        return json_response(
            {
                "ok": True,
                "message": DONE_MESSAGES[done],
                "html": html,
                "counts": alerts.counts(services, items=items).as_dict(),
                "version": alerts.version(items),
            }
        )
    target = _form_text(request, "back", 500)
    target = target if is_local_path(target) else "/escalations"
    path, _, query = target.partition("?")
    args = {key: value for key, value in parse_qsl(query) if key != "done"}
    args["done"] = done
    return redirect(with_args(path, args) + f"#escalation-{escalation.id}", status=303)


def _refusal(request: Request, error: ActionRefusedError, title: str) -> HTTPResponse:
    if wants_json(request):
        return json_response({"ok": False, "message": str(error)}, status=error.status)
    return page(request, "error.html", status=error.status, title=title, message=str(error))


def blueprint() -> Blueprint:
    bp = Blueprint("escalations")

    @bp.get("/escalations")
    async def queue(request: Request) -> HTTPResponse:
        services = request.app.ctx.services
        view = request.args.get("status") or ACTIVE
        view = view if view in VIEWS else ACTIVE
        every = services.queue.items()
        items = every
        if view == ACTIVE:
            items = [item for item in items if item.status != "resolved"]
        elif view != "all":
            items = [item for item in items if item.status == view]
        rows = alerts.rows_for(services, ordered(items))
        account = request.ctx.session.account
        services.audit.record(
            account.name, audit.VIEW_QUEUE, "escalations", f"status {view}; {len(items)} shown", client_address(request)
        )
        tallies = {name: 0 for name in VIEWS}
        for item in every:
            tallies[item.status] += 1
            tallies["all"] += 1
            if item.status != "resolved":
                tallies[ACTIVE] += 1
        context: Dict[str, Any] = {
            "rows": rows,
            "view": view,
            "views": VIEWS,
            "view_labels": VIEW_LABELS,
            "tallies": tallies,
            "back": with_args("/escalations", status=view),
            "queue_version": alerts.version(every),
            "done": DONE_MESSAGES.get(request.args.get("done") or ""),
            "ack_minutes": services.settings.escalation.ack_timeout_minutes,
        }
        if request.args.get("fragment") == "list":
            return json_response(
                {"html": render_fragment(request, "_queue_list.html", **context), "version": context["queue_version"]}
            )
        return page(request, "escalations.html", **context)

    @bp.get("/escalations/counts")
    async def queue_counts(request: Request) -> HTTPResponse:
        """How many escalations nobody has acknowledged (and how many are overdue): counts only.

        With them the navigation's other count, the appointment requests still new.
        """
        services = request.app.ctx.services
        items = services.queue.items()
        body: Dict[str, Any] = {
            **alerts.counts(services, items=items).as_dict(),
            "version": alerts.version(items),
            "new_appointments": alerts.new_appointments(services),
        }
        return json_response(body, headers={"Cache-Control": "no-store"})

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
        return _answer(request, escalation, "acknowledged")

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
            return _refusal(request, ActionRefusedError(str(error), 400), "Note not saved")
        services.audit.record(
            account.name,
            audit.NOTE,
            escalation.conversation_id,
            f"note {note.id} on escalation {escalation.id}",
            client_address(request),
        )
        return _answer(request, escalation, "noted")

    @bp.post("/escalations/<escalation_id>/resolve")
    async def resolve(request: Request, escalation_id: str) -> HTTPResponse:
        """Resolve after the confirmation. An unacknowledged escalation needs a reason, kept as a
        note; resolving it also acknowledges it, since someone has now dealt with it."""
        services = request.app.ctx.services
        escalation = _escalation(request, escalation_id)
        account = request.ctx.session.account
        address = client_address(request)
        reason = _form_text(request, "reason", MAX_REASON_CHARS)
        try:
            if _form_text(request, "confirm", 10) != "yes":
                raise ActionRefusedError("Confirm that the follow-up is finished to mark it resolved.", 400)
            if not escalation.acknowledged_at and not reason:
                raise ActionRefusedError(
                    "This escalation has not been acknowledged. Acknowledge it first, or give a reason for "
                    "resolving it without acknowledging (for example: a duplicate of another alert)."
                )
        except ActionRefusedError as error:
            return _refusal(request, error, "Not resolved")
        note_id: Optional[int] = None
        if not escalation.acknowledged_at:
            note_id = services.followup.add_note(
                escalation.conversation_id, escalation.id, account.name, f"Resolved without acknowledging: {reason}"
            ).id
            if services.outbox.acknowledge(escalation.id, account.name):
                services.audit.record(
                    account.name,
                    audit.ACKNOWLEDGE,
                    escalation.conversation_id,
                    f"escalation {escalation.id} (on resolving)",
                    address,
                )
        elif reason:
            note_id = services.followup.add_note(
                escalation.conversation_id, escalation.id, account.name, f"Resolved: {reason}"
            ).id
        if services.followup.resolve(escalation.id, escalation.conversation_id, account.name):
            detail = f"escalation {escalation.id}" + (f"; reason in note {note_id}" if note_id else "")
            services.audit.record(account.name, audit.RESOLVE, escalation.conversation_id, detail, address)
        return _answer(request, escalation, "resolved")

    @bp.post("/escalations/<escalation_id>/reopen")
    async def reopen(request: Request, escalation_id: str) -> HTTPResponse:
        services = request.app.ctx.services
        escalation = _escalation(request, escalation_id)
        account = request.ctx.session.account
        reason = _form_text(request, "reason", MAX_REASON_CHARS)
        if services.followup.reopen(escalation.id):
            note_id = None
            if reason:
                note_id = services.followup.add_note(
                    escalation.conversation_id, escalation.id, account.name, f"Reopened: {reason}"
                ).id
            services.audit.record(
                account.name,
                audit.REOPEN,
                escalation.conversation_id,
                f"escalation {escalation.id}" + (f"; reason in note {note_id}" if note_id else ""),
                client_address(request),
            )
        return _answer(request, escalation, "reopened")

    return bp
