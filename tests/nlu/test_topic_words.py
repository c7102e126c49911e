"""A topic beyond the policy named in plain words answers a message the classifiers could not place."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import pytest
import yaml

from confidant.nlu.message_focus import focus
from confidant.nlu.topic_words import (
    WORD_ANSWER_CONFIDENCE,
    TopicWords,
    TopicWordsError,
    booking_request_words,
    default_topic_words,
    named_topic_answer,
)
from confidant.settings import PROJECT_ROOT
from confidant.vocabulary import FOCUS_PROPERTY


def reading(text: str, intent: str, confidence: float = 0.4) -> Dict[str, Any]:
    """A parse whose FAQ answer the gate found unsure (`nlu_fallback`) or that DIET put out of scope."""
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}, {"name": "faq", "confidence": 0.3}],
        "response_selector": {
            "faq": {
                "response": {"intent_response_key": "faq/safe_to_share", "confidence": 0.2},
                "ranking": [{"intent_response_key": "faq/safe_to_share", "confidence": 0.2}],
            }
        },
        "risk": {"intent": None, "layers": []},
    }


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("im undocumented, would a therapist ever tell anyone where i live", "faq/beyond_immigration"),
        ("my husband and i have no papers yet, is that a problem for seeing someone", "faq/beyond_immigration"),
        ("are the video sessions recorded anywhere", "faq/beyond_telehealth"),
        ("my counselor does calls from her kitchen, can her kids hear me?", "faq/beyond_telehealth"),
        ("does the insurance company get told what we talk about", "faq/beyond_insurance"),
        ("would my chain of command hear about it, im in the navy", "faq/beyond_employer"),
        ("will my job find out i'm seeing someone", "faq/beyond_employer"),
        ("if we do marriage counseling does he get to hear my one on one stuff", "faq/beyond_couples_family_group"),
        ("what happens to everything i said after i die", "faq/beyond_after_death"),
        ("could i set up a free consultation call for my son", "request_appointment"),
        ("would it get reported that my ex used to hit me? we split up two years ago", "faq/beyond_partner_violence"),
        ("i left an abusive marriage last spring, does any of that go in a file", "faq/beyond_partner_violence"),
        ("if i say i shoplifted as a teen can that come back on me", "faq/beyond_substances_crimes"),
        ("can i be honest about my cocaine use without the cops hearing", "faq/beyond_substances_crimes"),
        ("hi are you guys still taking new clients", "request_appointment"),
        ("do you have any openings on weekday evenings", "request_appointment"),
        ("whats the soonest i can come in, its kind of urgent", "request_appointment"),
        ("i need an appointment for my 15 year old", "request_appointment"),
        ("can you put me on the waitlist please", "request_appointment"),
        ("could someone call me to set up a first visit? evenings are best", "request_appointment"),
        ("id like to set up a time to talk with one of your counselors", "request_appointment"),
        ("is there any way to get me on your schedule before the holidays", "request_appointment"),
        ("how do i book a session for my stepdaughter, shes 16", "request_appointment"),
        # A time asked for, a place held, the first step: everyday ways of asking to start.
        ("does anyone have time on a monday afternoon", "request_appointment"),
        ("any slots left this month?", "request_appointment"),
        ("when could my husband come in? he finally said yes", "request_appointment"),
        ("could we come by sometime next week", "request_appointment"),
        ("squeeze me in whenever someone frees up", "request_appointment"),
        ("please hold me a first appointment, mornings are easiest", "request_appointment"),
        ("my doctor said i should schedule an intake with you", "request_appointment"),
        ("we'd like to set up an initial session for our son", "request_appointment"),
        ("can i claim one of the free 15 minute calls", "request_appointment"),
        ("what would i need to do to become a client", "request_appointment"),
        ("how can we get started", "request_appointment"),
        ("im ready to talk to someone", "request_appointment"),
        ("can you get her seen before school starts", "request_appointment"),
        ("have someone text me about setting up a first visit", "request_appointment"),
        ("i wish make appointment for my mother", "request_appointment"),
        # Seeing someone, one session to try, going about it, bringing someone in, the wait.
        ("my parents are fine with it, i just want to see someone", "request_appointment"),
        ("could we book for the both of us", "request_appointment"),
        ("could my dad get an appointment in the mornings", "request_appointment"),
        ("honestly id like to try a session before deciding", "request_appointment"),
        ("where do i start booking an intake", "request_appointment"),
        ("we'd love to bring our son in for an evaluation soon", "request_appointment"),
        ("whats the usual wait to get in", "request_appointment"),
        ("are there any new-client openings before christmas", "request_appointment"),
        ("would you have time for one of the free intro consults", "request_appointment"),
        ("wat should i do to get started", "request_appointment"),
        # Asking to start with no booking word at all.
        ("honestly i just want to talk with one of your counselors about my panic", "request_appointment"),
        ("any chance my son could see someone before exams", "request_appointment"),
        ("can we meet with a therapist there in person", "request_appointment"),
        ("how can i become a new patient", "request_appointment"),
        ("she needs to be seen soon, the school is worried", "request_appointment"),
        ("our counselor is leaving, can we move over to one of your therapists", "request_appointment"),
        ("whats the waiting list like at the moment", "request_appointment"),
        ("could we start next month", "request_appointment"),
        ("please text me on 555 010 0188 to set up a first visit", "request_appointment"),
        ("are any of your therapists taking anyone new", "request_appointment"),
        ("we're considering therapy at your practice", "request_appointment"),
        ("could someone get in touch with me about starting therapy", "request_appointment"),
        ("we are ready to get started", "request_appointment"),
        ("can you get my stepson in with someone", "request_appointment"),
        ("im looking for a psychologist for my 9 year old", "request_appointment"),
        ("my brother needs somebody to talk to", "request_appointment"),
        ("could one of you see him after work on thursdays", "request_appointment"),
        ("can we set something up for early january", "request_appointment"),
        ("we'd really like to come in", "request_appointment"),
        ("when could a counselor see my daughter", "request_appointment"),
        ("earliest we could come?", "request_appointment"),
        ("who do i talk to about getting my son started", "request_appointment"),
        ("we want our daughter to meet with someone", "request_appointment"),
        ("i think im ready to give counseling a go", "request_appointment"),
        ("is anyone available next tuesday", "request_appointment"),
        ("how do we register", "request_appointment"),
        ("could i meet one of the therapists first", "request_appointment"),
        ("its probably time i got some help", "request_appointment"),
        ("i think i should go see a counselor", "request_appointment"),
        ("what days do you have open", "request_appointment"),
        ("do the appointment reminders say what kind of office you are, my roommate reads em", "faq/beyond_messaging"),
        ("is it ok to text my therapist between sessions or does that go somewhere", "faq/beyond_messaging"),
        ("am i allowed to read my own therapy notes", "faq/beyond_own_records"),
        ("would it be rude to ask to see what she writes about me", "faq/beyond_own_records"),
        ("do i need my parents permission to start seeing someone? im 15", "faq/minor_age"),
        ("can a 16 year old come without a parent there", "faq/minor_age"),
        ("would my dad have to sign something", "faq/minor_age"),
    ],
)
def test_the_words_of_one_topic_name_it(text: str, answer: str) -> None:
    assert default_topic_words().topic(text)[0] == answer


@pytest.mark.parametrize(
    "text",
    [
        "can my parents see my records",  # a policy topic: its words are left out
        "can my ex get my records in the custody case",  # someone else asking: a policy topic
        "i text my mom after every session",  # texting someone else
        "we drove the family car to my session",  # "family" is not family therapy
        "im on a zoom call at work and on the insurance plan",  # two topics: nothing chosen
        "i need an appointment summary for my own files",  # a document, not a place
        "my sister wants to see someone's texts from that night",  # someone's things, not someone
        "can my husband have a copy of my notes",  # a copy, not a place
        "they want to bring him in for questioning",  # not to the practice
        "i waited to start until after the move",  # told, not asked
        "can i move my thursday session to friday",  # an existing client: "call us" stands
        "i had my first visit last week and loved it",  # told, not asked
        "can i come in through the back door so nobody sees me",  # the way in, not a time
        "i don't want to see someone who knows my family",  # a wish about whom, not a request
        "is it safe to see a therapist if im on probation",  # a question, not a wish
        "my therapist wants to see me every week",  # the therapist's wish, told
        "how long is the wait in the lobby usually",  # not the waiting list
        "my gp referred me to you, does she get updates on what i say",  # told before a question
        "i was referred to a psychiatrist for my meds",  # referred elsewhere
        "we'd like to come in through the side entrance",  # the way in
        "its time to get the kids to bed",  # no one to see
        "i should talk to my mom about it",  # not a therapist
        "can you see my messages",  # the chat, not a time
        "call me at 555 010 0188 if you need to",  # a number, no request
        "i'd like to book a session, does my dad have to come, do you take insurance",  # two questions
        "",
    ],
)
def test_no_topic_where_no_words_or_two_topics_occur(text: str) -> None:
    assert default_topic_words().topic(text) is None


@pytest.mark.parametrize("intent", ["nlu_fallback", "out_of_scope"])
def test_a_message_left_unplaced_gets_the_named_topics_answer(intent: str) -> None:
    text = "im undocumented, is it safe to see a therapist?"
    answered, reason = named_topic_answer(text, reading(text, intent))
    assert answered["intent"] == {"name": "faq", "confidence": WORD_ANSWER_CONFIDENCE}
    assert answered["intent_ranking"][0]["name"] == "faq"
    response = answered["response_selector"]["faq"]["response"]
    assert response["intent_response_key"] == "faq/beyond_immigration"
    assert response["utter_action"] == "utter_faq/beyond_immigration"
    assert "faq/beyond_immigration" in reason and "undocumented" in reason


@pytest.mark.parametrize(
    ("intent", "answer"),
    [("nlu_fallback", None), ("out_of_scope", None), ("faq", "faq/contact_practice"), ("inform_contact", None)],
)
def test_a_request_to_book_in_so_many_words_starts_the_appointment_request(intent: str, answer: str) -> None:
    text = "hi, i'd like to schedule an intake session sometime after work next week"
    chosen = reading(text, intent)
    if answer:
        chosen["response_selector"]["faq"]["response"]["intent_response_key"] = answer
    answered, reason = named_topic_answer(text, chosen)
    assert answered["intent"]["name"] == "request_appointment"
    assert answered["intent_ranking"][0]["name"] == "request_appointment"
    assert "request_appointment" in reason


@pytest.mark.parametrize(("intent", "answer"), [("nlu_fallback", None), ("faq", "faq/contact_practice")])
def test_a_request_to_book_beside_one_question_is_the_question(intent: str, answer: str) -> None:
    """The question is answered; the focus step then offers to book (the request's words are there)."""
    text = "can i book myself or does my mom have to"
    chosen = reading(text, intent)
    if answer:
        chosen["response_selector"]["faq"]["response"]["intent_response_key"] = answer
    answered, reason = named_topic_answer(text, chosen)
    assert answered["intent"]["name"] == "faq"
    assert answered["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/minor_age"
    assert "does my mom have to" in reason


def test_contact_details_with_a_question_stay_contact_details() -> None:
    text = "555 010 0177, does my mom have to sign anything"
    assert named_topic_answer(text, reading(text, "inform_contact")) is None


def test_a_request_to_book_never_replaces_another_answer_or_a_risk_reading() -> None:
    text = "i'd like to book a first appointment, will my parents find out?"
    assert named_topic_answer(text, reading(text, "faq", 0.9)) is None  # its answer: faq/safe_to_share
    assert named_topic_answer(text, reading(text, "risk_self_harm", 0.9)) is None


def test_contact_details_alone_stay_contact_details() -> None:
    """A number with no request (after the call-back offer, say) is never made a request."""
    text = "555-010-0199, evenings are best"
    assert named_topic_answer(text, reading(text, "inform_contact", 0.9)) is None


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("i'd like to book a first appointment, will my parents find out?", "i'd like to book a first appointment"),
        # Beside another topic's words, which keep `topic` from choosing either.
        ("Can I schedule a video session? Is telehealth private?", "can i schedule a video session"),
    ],
)
def test_the_words_asking_to_book_are_found_whatever_else_a_message_asks(text: str, said: str) -> None:
    found = booking_request_words(text)
    assert found is not None and found.group(0) == said
    assert text[found.start() : found.end()].lower() == said


@pytest.mark.parametrize(
    "text",
    [
        "what happens at a first appointment? do I have to tell them everything?",
        "before I make up my mind, who can see my file?",
        "can i move my thursday session to friday",
    ],
)
def test_questions_about_appointments_are_not_requests_to_book(text: str) -> None:
    assert booking_request_words(text) is None


@pytest.mark.parametrize("intent", ["faq", "risk_self_harm", "share_feelings"])
def test_a_placed_reading_is_never_replaced(intent: str) -> None:
    text = "im undocumented, is it safe to see a therapist?"
    assert named_topic_answer(text, reading(text, intent, 0.9)) is None


def test_the_focus_step_answers_a_short_unplaced_message_and_records_why() -> None:
    text = "are my telehealth sessions safe?"
    result = focus(text, reading(text, "nlu_fallback"), lambda parts: [reading(p, "nlu_fallback") for p in parts])
    assert result["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/beyond_telehealth"
    assert result[FOCUS_PROPERTY]["reason"].startswith("topic named in plain words: faq/beyond_telehealth")


def test_every_topic_is_an_faq_answer_or_an_intent_the_domain_has() -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    for key in default_topic_words().expressions:
        assert f"utter_{key}" in domain["responses"] or key in domain["intents"], key


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("beyond_immigration: ['papers']\n", "FAQ answer key or one of"),
        ("faq/beyond_immigration: []\n", "FAQ answer key or one of"),
        ("greet: ['hello']\n", "FAQ answer key or one of"),
        ("faq/beyond_immigration: ['(papers']\n", "does not compile"),
        ("- faq/beyond_immigration\n", "answer keys"),
    ],
)
def test_a_broken_words_file_is_an_error_naming_the_problem(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "topic_words.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TopicWordsError, match=problem):
        TopicWords.from_file(path)
