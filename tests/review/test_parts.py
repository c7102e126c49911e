"""The review tool's pure parts: event parsing, filters, weekly counts, chart layout, config,
and the outbox methods it added."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from confidant.notify.outbox import Outbox
from review.config import ConfigError, ReviewConfig
from review.labels import topic_label
from review.storage.conversations import summarise
from review.storage.tracker_events import evidence_in, parse_event
from review.web.charts import nice_step, stacked_weekly
from review.web.filters import ConversationFilter
from review.web.guard import is_local_path
from review.web.insights import escalations_per_week, recent_weeks, topics_per_week, week_of

UTC = ZoneInfo("UTC")


def user_row(text: str, **parse: object) -> tuple:
    data = {"event": "user", "text": text, "parse_data": {"intent": {"name": "faq"}, **parse}, "input_channel": "rest"}
    return (1, "user", 1_700_000_000.0, json.dumps(data))


def test_topic_is_the_faq_key_or_the_intent() -> None:
    faq = parse_event(
        *user_row("x", response_selector={"faq": {"response": {"intent_response_key": "faq/limit_court"}}})
    )
    assert faq.topic == "faq/limit_court" and topic_label(faq.topic) == "FAQ: courts and legal orders"
    ranked = parse_event(*user_row("x", response_selector={"faq": {"ranking": [{"intent_response_key": "faq/a"}]}}))
    assert ranked.topic == "faq/a"
    greet = parse_event(1, "user", 1.0, json.dumps({"text": "hi", "parse_data": {"intent": {"name": "greet"}}}))
    assert greet.topic == "greet" and greet.channel is None
    assert parse_event(2, "action", 1.0, "{}") is None
    assert parse_event(3, "user", 1.0, "not json") is None
    assert parse_event(4, "slot", 1.0, json.dumps({"name": "practice_name", "value": "x"})) is None


def test_evidence_offsets_are_checked_against_the_text() -> None:
    text = "I want to end my life"
    good = {"screen": {"evidence": [{"text": "end my life", "start": 10, "end": 21, "pattern": "p"}]}}
    assert [(e.start, e.end) for e in evidence_in(text, good)] == [(10, 21)]
    shifted = {"screen": {"evidence": [{"text": "end my life", "start": 0, "end": 11}]}}
    assert [(e.start, e.end) for e in evidence_in(text, shifted)] == [(10, 21)]
    nonsense = {"screen": {"evidence": [{"text": "absent", "start": 50, "end": 99}, {"start": "x"}, "junk"]}}
    assert evidence_in(text, nonsense) == ()


def test_filter_dates_are_inclusive_days_in_the_practice_zone() -> None:
    messages = [parse_event(*user_row("hello there"))]
    moment = datetime.fromtimestamp(1_700_000_000, timezone.utc)
    summary = summarise("s", 3, moment, moment, messages)
    day = moment.date()
    assert ConversationFilter(date_from=day, date_to=day).matches(summary, {}, UTC)
    assert not ConversationFilter(date_from=day + timedelta(days=1)).matches(summary, {}, UTC)
    assert not ConversationFilter(date_to=day - timedelta(days=1)).matches(summary, {}, UTC)
    assert ConversationFilter(escalated=True).matches(summary, {"s": ["abuse"]}, UTC)
    assert ConversationFilter(risk="abuse").matches(summary, {"s": ["abuse"]}, UTC)
    assert not ConversationFilter(escalated=True).matches(summary, {}, UTC)
    parsed = ConversationFilter.from_args({"from": "2024-13-01", "escalated": "maybe", "q": "  hi  ", "channel": ""})
    assert parsed == ConversationFilter(text="hi")


def test_weekly_counts_and_chart_layout() -> None:
    now = datetime(2024, 5, 15, 12, tzinfo=timezone.utc)  # a Wednesday
    weeks = recent_weeks(now, UTC, 4)
    assert weeks[-1] == date(2024, 5, 13) and weeks[0] == date(2024, 4, 22)
    assert week_of(datetime(2024, 5, 12, 23, 30, tzinfo=timezone.utc), ZoneInfo("Europe/Berlin")) == date(2024, 5, 13)
    messages = [
        parse_event(*user_row("q", response_selector={"faq": {"response": {"intent_response_key": f"faq/t{n % 3}"}}}))
        for n in range(7)
    ]
    summary = summarise("s", 7, now, now, messages)
    weekly = topics_per_week([summary], [week_of(messages[0].at, UTC)], UTC, top=2)
    assert sum(sum(counts) for counts in weekly.series.values()) == 7 and "other" in weekly.series
    chart = stacked_weekly("t", weeks, {"a": [0, 3, 1, 7], "b": [1, 0, 0, 2]})
    assert len(chart.bars) == 5 and chart.y_ticks[-1].label == "10"
    tallest = [bar for bar in chart.bars if bar.tooltip.endswith("a 7")][0]
    assert tallest.y >= chart.top and all(bar.height > 0 for bar in chart.bars)
    assert stacked_weekly("t", weeks, {}).empty
    assert [nice_step(value) for value in (0, 3, 7, 40, 99, 1000)] == [1, 1, 2, 10, 20, 200]


def test_outbox_lists_and_forgets_escalations(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    first = outbox.record_escalation(
        "a", "abuse", "rest", ["n"], lambda e: {}, now=datetime(2024, 1, 1, tzinfo=timezone.utc)
    )
    second = outbox.record_escalation("b", "self_harm", "rest", ["n"], lambda e: {})
    assert [item.id for item in outbox.escalations()] == [second.id, first.id]
    assert [item.id for item in outbox.escalations("a")] == [first.id]
    assert escalations_per_week(outbox.escalations(), [date(2024, 1, 1)], UTC).series == {"abuse": [1]}
    assert outbox.forget_conversation("a") == 1
    assert outbox.escalation(first.id) is None and outbox.escalations("a") == []
    assert [n.escalation_id for n in outbox.notifications()] == [second.id]


def test_config_from_environment() -> None:
    config = ReviewConfig.from_env({"CONFIDANT_DATABASE_URL": "postgres://u@h/db"})
    assert config.read_url == config.database_url and config.retention_interval_seconds == 3600
    assert config.review_db_url.endswith("var/review.sqlite3")
    split = ReviewConfig.from_env({"CONFIDANT_DATABASE_URL": "sqlite:///a", "CONFIDANT_REVIEW_READ_URL": "sqlite:///b"})
    assert (split.database_url, split.read_url) == ("sqlite:///a", "sqlite:///b")
    with pytest.raises(ConfigError):
        ReviewConfig.from_env({"CONFIDANT_REVIEW_RETENTION_INTERVAL": "hourly"})


def test_only_local_paths_are_redirect_targets() -> None:
    assert is_local_path("/conversations/x?y=1")
    for target in ("//evil.example", "https://evil.example", "/\\evil.example", "", "conversations"):
        assert not is_local_path(target), target


def test_highlights_cover_whole_words() -> None:
    text = "I keep thinking about ending it all"
    inside = {"screen": {"evidence": [{"text": "ding it al", "start": 24, "end": 34, "pattern": "p"}]}}
    assert [item.text for item in evidence_in(text, inside)] == ["ending it all"]
    exact = {"screen": {"evidence": [{"text": "it", "start": 29, "end": 31}]}}
    assert [item.text for item in evidence_in(text, exact)] == ["it"]


def test_a_message_leaving_a_number_is_contact_details_whatever_the_classifier_said() -> None:
    from review.storage.tracker_events import gives_contact_details

    number = parse_event(
        *user_row("07700 900123", response_selector={"faq": {"response": {"intent_response_key": "faq/minor_age"}}})
    )
    assert number.topic == "inform_contact" and topic_label(number.topic) == "contact details for a call-back"
    assert gives_contact_details("you can reach me at jo@example.org or on 07700 900456 after 5")
    assert not gives_contact_details("can my insurer see my diagnosis? email me at kim@example.net please")
    assert not gives_contact_details("will you tell my parents?")


def test_the_wait_counts_office_time_like_the_second_contact() -> None:
    """An alert at 4:50 p.m. on a Friday with 30 minutes to acknowledge is due at 9:20 on Monday:
    overdue then, not over the weekend."""
    from datetime import time as clock

    from confidant.notify.outbox import Escalation
    from confidant.office_hours import OfficeWeek
    from review.storage.escalation_queue import QueueItem
    from review.web.queue_view import duration_text, queue_counts, timing

    new_york = ZoneInfo("America/New_York")
    week = OfficeWeek(new_york, {day: (clock(9), clock(17)) for day in range(5)})
    friday = datetime(2024, 5, 17, 16, 50, tzinfo=new_york)
    escalation = Escalation("e", "c", "self_harm", "rest", friday.isoformat(), 0, None, None, None)
    item = QueueItem(escalation, None)
    saturday = timing(item, week, timedelta(minutes=30), friday + timedelta(days=1))
    assert not saturday.overdue and saturday.deadline == datetime(2024, 5, 20, 9, 20, tzinfo=new_york)
    monday = timing(item, week, timedelta(minutes=30), datetime(2024, 5, 20, 10, 0, tzinfo=new_york))
    assert monday.overdue and monday.late_text == "40 min" and monday.waited_text == "2 d 17 h"
    assert queue_counts([item], week, timedelta(minutes=30), datetime(2024, 5, 20, 10, tzinfo=new_york)).as_dict() == {
        "open": 1,
        "overdue": 1,
    }
    acknowledged = QueueItem(
        Escalation("e", "c", "self_harm", "rest", friday.isoformat(), 0, "2024-05-20T13:25:00+00:00", "dr", None), None
    )
    late = timing(acknowledged, week, timedelta(minutes=30), datetime(2024, 5, 21, tzinfo=new_york))
    assert late.settled and late.overdue and late.late_text == "5 min"  # 09:25 New York time
    assert [duration_text(timedelta(seconds=s)) for s in (30, 600, 3900)] == ["under a minute", "10 min", "1 h 05 min"]
