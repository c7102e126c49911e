"""The list, its filters and search, the transcript, the queue and the insights page."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from markupsafe import escape

from tests.review.conftest import RISK_TEXT, XSS_TEXT, Scratch
from tests.review.support import Client, Say


def listed(page: str) -> set:
    return set(re.findall(r'<a href="/conversations/([^"/?]+)"[^>]*class="conversation-link"', page))


def search(client: Client, query: str, **filters: str) -> set:
    response = client.get("/conversations?" + urllib.parse.urlencode({"q": query, **filters}))
    assert response.status == 200, response.body
    return {urllib.parse.unquote(item) for item in listed(response.body)}


def test_client_html_is_shown_as_text(clinician: Client) -> None:
    for path in ("/conversations/c-xss", "/conversations?q=mum"):
        page = clinician.get(path).body
        assert "<script>window.__pwned" not in page and "<img src=x" not in page
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;&lt;img src=x onerror=" in page
    assert str(escape(XSS_TEXT)) in clinician.get("/conversations/c-xss").body


# Other tests add conversations to the shared practice, so these say what must and must not match.
PLAIN = {"c-faq-parents", "c-contact", "c-risk-acked", "c-filler-00"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("' OR 1=1 --", set()),
        ("%' OR '1'='1", set()),
        ('"; DROP TABLE events; --', set()),
        ("%", {"c-odd"}),  # "50% sure": a percent sign is a percent sign, not a wildcard
        ("_", {"c-odd", "c-xss"}),  # "file_name", "window.__pwned": an underscore is itself
        ("\\", {"c-odd"}),  # "back\\slash"
    ],
)
def test_injection_shaped_searches_are_just_text(clinician: Client, query: str, expected: set) -> None:
    found = search(clinician, query)
    assert expected <= found and not found & PLAIN
    if not expected:
        assert found == set()


def test_special_characters_match_themselves(clinician: Client) -> None:
    assert search(clinician, "50%") == {"c-odd"}
    assert search(clinician, "file_name") == {"c-odd"}
    assert search(clinician, "back\\slash") == {"c-odd"}
    assert "c-xss" in search(clinician, "TELL MY MUM") and not search(clinician, "TELL MY MUM") & PLAIN
    assert search(clinician, "question number 1") >= {"c-filler-01", "c-filler-10"}


def test_the_events_table_survives_the_searches(scratch: Scratch, clinician: Client) -> None:
    search(clinician, "'; DELETE FROM events; --")
    assert "c-faq-parents" in listed(clinician.get("/conversations?q=parents").body)


def test_filters(clinician: Client) -> None:
    escalated = search(clinician, "", escalated="yes")
    assert {"c-risk-open", "c-risk-acked"} <= escalated and not escalated & {"c-faq-parents", "c-contact", "c-xss"}
    assert not search(clinician, "", escalated="no") & {"c-risk-open", "c-risk-acked"}
    assert search(clinician, "", risk="harm_others") == {"c-risk-acked"}
    assert "c-risk-acked" not in search(clinician, "", risk="self_harm")
    assert search(clinician, "", channel="twilio", escalated="yes") == {"c-risk-acked"}
    assert search(clinician, "", topic="faq/what_is_confidentiality") == {"c-risk-open"}
    assert search(clinician, "records", topic="faq/records_privacy") >= {"c-faq-parents"}
    recent = search(clinician, "", **{"from": (_today(-1.5)), "to": _today(0)})
    assert {"c-risk-open", "c-contact"} <= recent and "c-faq-parents" not in recent


def _today(days: float) -> str:
    from datetime import datetime, timedelta, timezone

    return (datetime.now(timezone.utc) + timedelta(days=days)).date().isoformat()


def test_pages_of_the_list(clinician: Client, scratch: Scratch) -> None:
    first = clinician.get("/conversations").body
    second = clinician.get("/conversations?page=2").body
    assert "Page 1 of" in first and 'rel="next"' in first
    assert listed(first).isdisjoint(listed(second)) and len(listed(first)) == 25
    unescalated = clinician.get("/conversations?escalated=no").body
    pager = re.search(r'<nav class="pager".*?</nav>', unescalated, re.S).group(0)
    assert "escalated=no" in pager and "page=2" in pager
    assert clinician.get("/conversations?page=999").status == 200


def test_transcript_shows_times_topics_evidence_and_escalation(clinician: Client) -> None:
    page = clinician.get("/conversations/c-risk-open").body
    assert "FAQ: what confidentiality means" in page and "risk: suicide or self-harm" not in page
    # Internal names only in the details view.
    assert "risk_self_harm" not in page and "callback_contact" not in page
    details = clinician.get("/conversations/c-risk-open?details=1").body
    assert "risk_self_harm" in details and "callback_contact" in details
    assert re.search(r'<mark class="evidence" title="Risk evidence: suicidal_intent">end my life</mark>', page)
    before, _, after = RISK_TEXT.partition("end my life")
    assert str(escape(before)) in page and str(escape(after)) in page
    assert ">not acknowledged</span>" in page and "thoughts of suicide or self-harm" in page
    assert re.search(r'<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d</time>', page)
    acked = clinician.get("/conversations/c-risk-acked").body
    assert "Acknowledged by dr-earlier after" in acked
    assert clinician.get("/conversations/no-such-conversation").status == 404


def test_escalation_queue_lists_open_and_acknowledged(clinician: Client) -> None:
    page = clinician.get("/escalations").body
    assert 'href="/conversations/c-risk-open"' in page and 'href="/conversations/c-risk-acked"' in page
    open_only = clinician.get("/escalations?status=open").body
    assert 'href="/conversations/c-risk-acked"' not in open_only


def test_insights_draws_svg_charts(clinician: Client) -> None:
    response = clinician.get("/insights?weeks=12")
    assert response.status == 200
    # Each chart twice: a wide drawing and a narrow one for phones (CSS shows one), same bars.
    wide = re.findall(r"<svg class=\"plot wide\"[^>]*>.*?</svg>", response.body, re.S)
    narrow = re.findall(r"<svg class=\"plot narrow\"[^>]*>.*?</svg>", response.body, re.S)
    assert len(wide) == len(narrow) >= 2 and all("<rect" in chart for chart in wide + narrow)
    assert [chart.count("<rect") for chart in wide] == [chart.count("<rect") for chart in narrow]
    assert "The numbers, week by week" in response.body
    assert "FAQ: will parents be told" in response.body
    # Charts are drawn on the server; the only script is the app's own, from its own origin.
    assert re.findall(r"<script[^>]*>", response.body) == ['<script src="/static/review.js" defer>']


def test_conversation_ids_with_odd_characters(clinician: Client, scratch: Scratch) -> None:
    odd = "web user #1/ü?x=1&y"
    scratch.write(odd, [Say("a question from an odd id", faq="limit_court")], days=0.4)
    listing = clinician.get("/conversations?q=odd+id").body
    quoted = urllib.parse.quote(odd, safe="")
    assert f'href="/conversations/{quoted}"' in listing
    page = clinician.get(f"/conversations/{quoted}")
    assert page.status == 200 and "a question from an odd id" in page.body
    assert clinician.get(f"/conversations/{quoted}/export/csv").status == 200
    assert clinician.post(f"/conversations/{quoted}/reveal").status == 200
