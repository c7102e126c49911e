"""The insights page: topics clients asked about, escalations, and what the assistant could not
answer, per week; SVG charts drawn on the server, each with its numbers as a table."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from review.labels import category_label, topic_label
from review.web.charts import weekly_chart
from review.web.insights import escalations_per_week, recent_weeks, topic_totals, topics_per_week
from review.web.render import page
from review.web.unanswered import kind_label, unanswered

WEEK_CHOICES = (4, 8, 12, 26, 52)


def blueprint() -> Blueprint:
    bp = Blueprint("insights")

    @bp.get("/insights")
    async def insights(request: Request) -> HTTPResponse:
        services = request.app.ctx.services
        try:
            count = int(request.args.get("weeks") or 12)
        except ValueError:
            count = 12
        count = count if count in WEEK_CHOICES else 12
        weeks = recent_weeks(datetime.now(timezone.utc), services.zone, count)
        summaries = await asyncio.to_thread(services.conversations.summaries)
        topics = topics_per_week(summaries, weeks, services.zone)
        escalations = escalations_per_week(services.outbox.escalations(), weeks, services.zone)
        groups, unanswered_weekly = unanswered(summaries, weeks, services.zone)
        return page(
            request,
            "insights.html",
            weeks=count,
            week_dates=weeks,
            week_choices=WEEK_CHOICES,
            topics_chart=weekly_chart("Questions per week, by topic", weeks, topics.series, topic_label),
            escalations_chart=weekly_chart(
                "Escalations per week, by category", weeks, escalations.series, category_label
            ),
            unanswered_chart=weekly_chart(
                "Questions the assistant could not answer, per week", weeks, unanswered_weekly.series, kind_label
            ),
            unanswered_groups=groups,
            unanswered_total=unanswered_weekly.total,
            topic_totals=topic_totals(summaries, weeks, services.zone),
            escalation_total=escalations.total,
        )

    return bp
