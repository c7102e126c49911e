"""The conversation list (filters, search, pages) and the transcript, with audited reveals."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

from sanic import Blueprint
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from review.labels import is_conversation_topic, topic_label
from review.masking import find_contacts, mask_text
from review.routes.escalations import DONE_MESSAGES
from review.storage import audit
from review.web import alerts
from review.web.filters import RISK_CATEGORIES, ConversationFilter
from review.web.guard import client_address
from review.web.render import page
from review.web.transcript import transcript_lines

SNIPPET_CHARS = 140
# What the client said about being reached (the call-back form's `callback_how`).
CALLBACK_HOW_LABELS = {
    "call_or_text": "call or text",
    "text_only": "text only (do not call)",
    "call_only": "call only (do not text)",
    "email_only": "not safe to call or text",
    "email": "email",
}


def page_number(raw: Optional[str]) -> int:
    try:
        return max(1, min(int(raw or 1), 100000))
    except ValueError:
        return 1


async def render_transcript(
    request: Request,
    conversation_id: str,
    action: str,
    detail: str,
    reveal: bool = False,
    with_callback: bool = False,
    details: bool = False,
) -> HTTPResponse:
    """The transcript page, recorded in the audit log as `action` once the conversation is found."""
    services = request.app.ctx.services
    messages = await asyncio.to_thread(services.conversations.messages, conversation_id)
    if not messages:
        raise NotFound("No such conversation.")
    callback = None
    if with_callback:
        callback = await asyncio.to_thread(services.vault.reveal, conversation_id)
        detail = f"{detail}: {len(callback)} shown"
    account = request.ctx.session.account
    services.audit.record(account.name, action, conversation_id, detail, client_address(request))
    keep = services.practice_contacts
    clients = [message for message in messages if message.kind == "client"]
    return page(
        request,
        "transcript.html",
        conversation_id=conversation_id,
        lines=transcript_lines(messages, keep, reveal),
        channels=sorted({message.channel for message in clients if message.channel}),
        first_at=messages[0].at,
        last_at=messages[-1].at,
        escalations=alerts.rows_for(services, services.queue.items(conversation_id=conversation_id)),
        reveal=reveal,
        callback=callback,
        how_labels=CALLBACK_HOW_LABELS,
        details=details,
        done=DONE_MESSAGES.get(request.args.get("done") or ""),
    )


def blueprint() -> Blueprint:
    bp = Blueprint("conversations")

    @bp.get("/")
    async def home(request: Request) -> HTTPResponse:
        return redirect("/conversations", status=303)

    @bp.get("/conversations")
    async def conversation_list(request: Request) -> HTTPResponse:
        services = request.app.ctx.services
        filters = ConversationFilter.from_args(request.args)
        summaries = await asyncio.to_thread(services.conversations.summaries)
        categories = services.queue.categories_by_conversation()
        statuses = services.queue.status_by_conversation()
        matching = [summary for summary in summaries if filters.matches(summary, categories, services.zone)]
        size = services.config.page_size
        pages = max(1, -(-len(matching) // size))
        number = min(page_number(request.args.get("page")), pages)
        shown = matching[(number - 1) * size : number * size]
        keep = services.practice_contacts
        rows: List[Dict[str, Any]] = []
        for summary in shown:
            snippet = mask_text(summary.first_client_text, keep)
            rows.append(
                {
                    "summary": summary,
                    "snippet": snippet if len(snippet) <= SNIPPET_CHARS else snippet[: SNIPPET_CHARS - 1] + "…",
                    "escalated": summary.escalated_in_tracker or summary.conversation_id in categories,
                    "status": statuses.get(summary.conversation_id),
                    "categories": sorted(summary.risk_categories | set(categories.get(summary.conversation_id, []))),
                    "topics": sorted(summary.topics, key=topic_label),
                }
            )
        account = request.ctx.session.account
        services.audit.record(
            account.name,
            audit.VIEW_LIST,
            "conversations",
            f"{filters.describe()}; page {number} of {pages}; {len(matching)} matching",
            client_address(request),
        )
        return page(
            request,
            "conversations.html",
            rows=rows,
            filters=filters,
            filter_args=filters.as_args(),
            total=len(matching),
            page_number=number,
            pages=pages,
            channels=sorted({channel for summary in summaries for channel in summary.channels}),
            topics=sorted(
                {topic for summary in summaries for topic in summary.topics if is_conversation_topic(topic)},
                key=topic_label,
            ),
            contact_search=bool(filters.text and find_contacts(filters.text)),
            risk_categories=sorted(
                set(RISK_CATEGORIES) | {category for summary in summaries for category in summary.risk_categories}
            ),
            deleted=request.args.get("deleted", ""),
        )

    @bp.route("/conversations/<conversation_id>", methods=["GET"], unquote=True)
    async def transcript(request: Request, conversation_id: str) -> HTTPResponse:
        details = request.args.get("details") == "1"
        return await render_transcript(
            request,
            conversation_id,
            audit.VIEW_TRANSCRIPT,
            "contact details masked" + ("; details view" if details else ""),
            details=details,
        )

    @bp.route("/conversations/<conversation_id>/reveal", methods=["POST"], unquote=True)
    async def reveal(request: Request, conversation_id: str) -> HTTPResponse:
        return await render_transcript(
            request, conversation_id, audit.REVEAL, "phone numbers and email addresses in the transcript", reveal=True
        )

    @bp.route("/conversations/<conversation_id>/callback", methods=["POST"], unquote=True)
    async def reveal_callback(request: Request, conversation_id: str) -> HTTPResponse:
        return await render_transcript(
            request, conversation_id, audit.REVEAL_CALLBACK, "call-back details", with_callback=True
        )

    return bp
