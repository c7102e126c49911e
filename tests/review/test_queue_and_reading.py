"""Issue 19 (clinician's side) and 18.3 against the running app: the escalation queue to act
from, the open-alert count, readable lists and transcripts, search that reveals nothing, and
what the assistant could not answer on the insights page."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List

import pytest

from tests.review.conftest import CALLBACK_NUMBER, CONTACT_TEXT, Scratch
from tests.review.support import Client, Say, days_ago, rasa_events, risk_of, write_events

CHILD_TEXT = "my stepdad hits me when he is drunk and I am scared to go home, call me on 07700 900777"
PARTNER_TEXT = "my husband pushed me down the stairs last night"


def with_writer(risk: Dict[str, Any], writer: str, reason: str) -> Dict[str, Any]:
    return {**risk, "writer": writer, "writer_reason": reason}


@pytest.fixture(scope="module")
def queue_practice(scratch: Scratch) -> Dict[str, str]:
    """A child writing about abuse who asked for a call-back, and a long-waiting partner-violence alert."""
    child_risk = with_writer(risk_of(CHILD_TEXT, "abuse", "hits me"), "child_victim", "child writer cue 'stepdad'")
    scratch.write(
        "q-child",
        [
            Say(
                CHILD_TEXT,
                intent="risk_child_abuse",
                risk=child_risk,
                slots={"escalated": True, "risk_category": "abuse"},
            ),
            Say(
                "07700 900123",
                intent="faq",
                faq="minor_age",
                slots={
                    "callback_contact": "phone ending 23",
                    "callback_how": "text_only",
                    "callback_when": "after school",
                },
                reply="Thank you. Someone will text you.",
            ),
        ],
        days=0.01,
    )
    child = scratch.escalate("q-child", "abuse", days=0.01)
    scratch.outbox.queue(child, "callback", {"on-call": {"type": "callback"}})
    partner_risk = with_writer(risk_of(PARTNER_TEXT, "abuse", "pushed me"), "adult_victim_ipv", "partner cue 'husband'")
    scratch.write("q-partner", [Say(PARTNER_TEXT, intent="risk_partner_violence", risk=partner_risk)], days=10)
    partner = scratch.escalate("q-partner", "abuse", days=10)
    return {"child": child, "partner": partner}


def row_html(page: str, escalation_id: str) -> str:
    found = re.search(rf'<article class="qrow[^"]*" id="escalation-{escalation_id}".*?</article>', page, re.S)
    assert found, f"no row for {escalation_id}"
    return found.group(0)


def test_a_queue_row_says_what_who_the_message_the_call_back_and_the_wait(
    clinician: Client, queue_practice: Dict[str, str]
) -> None:
    page = clinician.get("/escalations?status=open").body
    row = row_html(page, queue_practice["child"])
    assert "abuse disclosure" in row and "a child or teenager being hurt" in row
    assert "child writer cue" in row  # why the writer was chosen, on hover
    # The message that raised it, evidence marked on whole words, the number in it masked.
    assert '<mark class="evidence" title="Risk evidence: reviewed_pattern">hits me</mark>' in row
    assert "07700 900777" not in row and "[phone ending 77]" in row
    # The call-back, as the form recorded it: masked contact, how and when.
    assert "Call-back requested" in row and "phone ending 23" in row
    assert "text only (do not call)" in row and "good time: after school" in row
    assert CALLBACK_NUMBER not in row
    assert "Waiting" in row and ("acknowledge by" in row or "Overdue by" in row)


def test_a_long_wait_is_overdue_against_office_time(clinician: Client, queue_practice: Dict[str, str]) -> None:
    page = clinician.get("/escalations?status=open").body
    row = row_html(page, queue_practice["partner"])
    assert 'class="qrow status-open overdue"' in row and "Overdue by" in row
    assert "acknowledgement was due" in row and "an adult hurt by a partner" in row
    # The longest waiting comes first.
    assert page.index(f'id="escalation-{queue_practice["partner"]}"') < page.index(
        f'id="escalation-{queue_practice["child"]}"'
    )
    assert "Acknowledgement is due within 30 minutes of office time" in page


def test_every_page_counts_the_open_alerts_and_the_count_can_be_polled(
    clinician: Client, scratch: Scratch, queue_practice: Dict[str, str]
) -> None:
    counts = json.loads(clinician.get("/escalations/counts").body)
    open_now = len([item for item in scratch.outbox.escalations() if not item.acknowledged_at])
    assert counts["open"] == open_now and counts["overdue"] >= 1 and counts["version"]
    for path in ("/conversations", "/insights", "/conversations/c-faq-parents", "/escalations?status=resolved"):
        page = clinician.get(path).body
        assert f'data-open="{open_now}"><span class="n">{open_now}</span>' in page, path
        assert '<script src="/static/review.js" defer></script>' in page
    scratch.write("q-new", [Say("I can't go on", intent="risk_self_harm")], days=0.001)
    scratch.escalate("q-new", "self_harm", days=0.001)
    later = json.loads(clinician.get("/escalations/counts").body)
    assert later["open"] == open_now + 1 and later["version"] != counts["version"]


def test_the_count_is_for_signed_in_accounts_only(anonymous: Client) -> None:
    response = anonymous.get("/escalations/counts")
    assert response.status == 303 and response.header("Location").startswith("/login")


def test_the_script_is_served_from_the_app(clinician: Client) -> None:
    script = clinician.get("/static/review.js")
    assert script.status == 200 and script.header("Content-Type").startswith("text/javascript")
    assert "/escalations/counts" in script.body and "eval(" not in script.body


def test_an_action_from_the_script_answers_with_the_row_in_place(
    clinician: Client, scratch: Scratch, queue_practice: Dict[str, str]
) -> None:
    scratch.write("q-json", [Say("I want to die", intent="risk_self_harm")], days=0.002)
    escalation_id = scratch.escalate("q-json", "self_harm", days=0.002)
    clinician.get("/escalations")
    before = json.loads(clinician.get("/escalations/counts").body)["open"]
    request = urllib.request.Request(
        clinician.base_url + f"/escalations/{escalation_id}/acknowledge",
        data=urllib.parse.urlencode({"csrf_token": clinician.csrf, "back": "/escalations"}).encode(),
        headers={"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with clinician.opener.open(request, timeout=30) as response:
        answer = json.loads(response.read())
    assert answer["ok"] and answer["message"].startswith("Acknowledged")
    assert f'id="escalation-{escalation_id}"' in answer["html"] and "status-acknowledged" in answer["html"]
    assert answer["counts"]["open"] == before - 1
    refused = urllib.request.Request(
        clinician.base_url + f"/escalations/{escalation_id}/resolve",
        data=urllib.parse.urlencode({"csrf_token": clinician.csrf}).encode(),
        headers={"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    try:
        clinician.opener.open(refused, timeout=30)
        raise AssertionError("resolving without the confirmation must be refused")
    except urllib.error.HTTPError as error:
        body = json.loads(error.read())
        assert error.code == 400 and not body["ok"] and "Confirm" in body["message"]


def search(client: Client, query: str) -> tuple:
    response = client.get("/conversations?" + urllib.parse.urlencode({"q": query}))
    found = set(re.findall(r'<a href="/conversations/([^"/?]+)"[^>]*class="conversation-link"', response.body))
    return found, response.body


def test_a_search_does_not_find_masked_numbers_or_addresses(clinician: Client) -> None:
    for query in (CALLBACK_NUMBER, "900123", "+44 7700 900456", "jo.bloggs@example.org", "bloggs"):
        found, page = search(clinician, query)
        assert not found & {"c-risk-open", "c-contact"}, query
    _, page = search(clinician, CALLBACK_NUMBER)
    assert "Phone numbers and email addresses are masked, so a search does not look inside them" in page
    # What the pages show can be searched.
    assert "c-risk-open" in search(clinician, "phone ending 23")[0]
    assert "c-contact" in search(clinician, "reach me at")[0]


def button_conversation(scratch: Scratch) -> str:
    """A web chat: the widget's `/greet`, a typed question, a crisis reply with buttons, a press."""
    from rasa.shared.core.events import BotUttered, SlotSet, UserUttered

    start = days_ago(0.02).timestamp()
    events = rasa_events([], days_ago(0.02), "socketio")
    greet = {"name": "greet", "confidence": 1.0}
    events.append(UserUttered("/greet", greet, [], {"intent": greet}, timestamp=start + 1, input_channel="socketio"))
    events.append(BotUttered("Hi, I'm the assistant.", {}, {}, timestamp=start + 2))
    asked = {"name": "risk_self_harm", "confidence": 0.9}
    text = "I keep thinking about ending it all"
    risk = risk_of(text, "self_harm", "ding it al")  # the screen's offsets start and end inside words
    parse = {"intent": asked, "risk": risk}
    events.append(UserUttered(text, asked, [], parse, timestamp=start + 60, input_channel="socketio"))
    events.append(SlotSet("escalated", True, timestamp=start + 60.1))
    buttons = [
        {"title": "Yes, please contact me", "payload": "/affirm"},
        {"title": "No, thank you", "payload": "/deny"},
    ]
    events.append(
        BotUttered("Call 988 now. Would you like a call back?", {"buttons": buttons}, {}, timestamp=start + 61)
    )
    yes = {"name": "affirm", "confidence": 1.0}
    events.append(UserUttered("/affirm", yes, [], {"intent": yes}, timestamp=start + 90, input_channel="socketio"))
    write_events(scratch.database_url, "q-web", events)
    return "q-web"


def test_the_list_shows_the_first_typed_message_and_human_labels(clinician: Client, scratch: Scratch, practice) -> None:
    button_conversation(scratch)
    page = clinician.get("/conversations?channel=socketio").body
    row = re.search(r'<tr[^>]*>\s*<td data-label="Last message">.*?q-web.*?</tr>', page, re.S).group(0)
    assert "I keep thinking about ending it all" in row and "/greet" not in row
    assert "web chat" in row
    # Filters and tags in words; small talk is no topic.
    listing = clinician.get("/conversations").body
    topic_filter = re.search(r'<select id="topic".*?</select>', listing, re.S).group(0)
    assert ">FAQ: will parents be told<" in topic_filter
    assert 'value="greet"' not in topic_filter and 'value="affirm"' not in topic_filter
    assert ">web chat<" in re.search(r'<select id="channel".*?</select>', listing, re.S).group(0)
    assert f"Times in {practice.practice.timezone}" in listing  # the practice's time zone by default


def test_a_transcript_reads_as_a_conversation_with_the_machinery_in_details(
    clinician: Client, scratch: Scratch
) -> None:
    button_conversation(scratch)
    page = clinician.get("/conversations/q-web").body
    messages = page[page.index('id="messages-heading"') :]
    assert "/greet" not in messages and "/affirm" not in messages and "escalation flag" not in messages
    assert re.search(
        r'<span class="who">Client chose</span>.*?<p class="text">Yes, please contact me</p>', messages, re.S
    )
    # The highlight covers whole words even when the offsets do not.
    assert '<mark class="evidence" title="Risk evidence: reviewed_pattern">ending it all</mark>' in messages
    details = clinician.get("/conversations/q-web?details=1").body
    details = details[details.index('id="messages-heading"') :]
    assert "<code>/greet</code>" in details and "escalation flag" in details and "risk_self_harm" in details


def test_a_typed_phone_number_is_contact_details_not_a_question(
    clinician: Client, queue_practice: Dict[str, str]
) -> None:
    page = clinician.get("/conversations/q-child").body
    messages = page[page.index('id="messages-heading"') :]
    assert "FAQ: age for private therapy" not in messages and "minor" not in messages
    assert "contact details for a call-back" in messages
    assert "[phone ending 23]" in messages and "07700 900123" not in messages


def unanswered_conversations(scratch: Scratch) -> None:
    scratch.write(
        "q-unanswered",
        [
            Say("hello", intent="greet"),
            Say("can my insurer see my diagnosis? email me at kim@example.net", faq="beyond_insurance"),
            Say("blorp the flib", intent="nlu_fallback", reply="Sorry, could you say that another way?"),
            Say("what's the weather like", intent="out_of_scope"),
            Say("¿mi terapeuta le dirá a mis padres?", intent="other_language"),
            Say("thanks!", intent="thanks"),
        ],
        days=0.03,
    )


def test_insights_show_what_the_assistant_could_not_answer(clinician: Client, scratch: Scratch) -> None:
    unanswered_conversations(scratch)
    page = clinician.get("/insights?weeks=4").body
    section = page[page.index('id="unanswered-heading"') : page.index('id="topics-heading"')]
    for label in (
        "FAQ, not in the policy: insurance and billing",
        "not understood (asked to rephrase)",
        "outside what the assistant answers",
        "in another language, no answer found",
    ):
        assert label in section, label
    assert 'href="/conversations/q-unanswered"' in section
    assert "kim@example.net" not in section and "[k***@example.net]" in section  # masked like transcripts
    assert '<svg class="plot wide"' in section and "per week" in section
    # Topics are questions: no greetings or thanks in the totals.
    totals = page[page.index('id="topics-heading"') :]
    assert ">greeting<" not in totals and ">thanks<" not in totals and ">yes<" not in totals


def test_unanswered_groups_and_weekly_counts() -> None:
    from datetime import date, datetime, timezone
    from zoneinfo import ZoneInfo

    from review.storage.conversations import summarise
    from review.storage.tracker_events import Message
    from review.web.unanswered import unanswered

    monday = datetime(2024, 5, 13, 12, tzinfo=timezone.utc)
    messages: List[Message] = [
        Message(1, monday, "client", "what about my insurer, call 07700 900111", topic="faq/beyond_insurance"),
        Message(2, monday.replace(day=20), "client", "and my insurance again", topic="faq/beyond_insurance"),
        Message(3, monday, "client", "hi", topic="greet"),
        Message(4, monday, "client", "flib", topic="nlu_fallback"),
        Message(5, monday, "client", "will you tell my parents", topic="faq/tell_parents"),
    ]
    summary = summarise("s", 5, monday, monday, messages)
    groups, weekly = unanswered([summary], [date(2024, 5, 13), date(2024, 5, 20)], ZoneInfo("UTC"))
    assert [(group.topic, group.counts) for group in groups] == [
        ("faq/beyond_insurance", [1, 1]),
        ("nlu_fallback", [1, 0]),
    ]
    assert weekly.series == {"nlu_fallback": [1, 0], "beyond_policy": [1, 1]}
    assert groups[0].examples[0].text == "and my insurance again"  # newest first
    assert groups[0].examples[1].text == "what about my insurer, call [phone ending 11]"
    assert summary.topics == frozenset({"faq/beyond_insurance", "nlu_fallback", "faq/tell_parents"})


def test_contact_text_is_still_found_by_its_words(clinician: Client) -> None:
    words = CONTACT_TEXT.split(" at ")[0]
    assert "c-contact" in search(clinician, words)[0]
