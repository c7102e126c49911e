"""Admin pages: the audit log and the list of accounts (accounts are changed with the CLI)."""

from __future__ import annotations

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from review.routes.conversations import page_number
from review.storage.audit import ACTIONS
from review.web.guard import admin_only
from review.web.render import page

PAGE_SIZE = 100


def blueprint() -> Blueprint:
    bp = Blueprint("admin")

    @bp.get("/admin/audit")
    @admin_only
    async def audit_log(request: Request) -> HTTPResponse:
        services = request.app.ctx.services
        actor = (request.args.get("actor") or "").strip()[:64] or None
        action = request.args.get("action") if request.args.get("action") in ACTIONS else None
        target = (request.args.get("target") or "").strip()[:255] or None
        number = page_number(request.args.get("page"))
        entries, total = services.audit.entries(PAGE_SIZE, (number - 1) * PAGE_SIZE, actor, action, target)
        pages = max(1, -(-total // PAGE_SIZE))
        filter_args = {"actor": actor or "", "action": action or "", "target": target or ""}
        return page(
            request,
            "audit.html",
            entries=entries,
            total=total,
            page_number=number,
            pages=pages,
            actions=ACTIONS,
            filter_args=filter_args,
        )

    @bp.get("/admin/accounts")
    @admin_only
    async def accounts(request: Request) -> HTTPResponse:
        services = request.app.ctx.services
        rows = [(account, None) for account in services.accounts.all()]  # accounts are never locked
        return page(request, "accounts.html", rows=rows)

    return bp
