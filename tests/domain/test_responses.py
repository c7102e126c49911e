"""The wording rules every client-facing response keeps (domain.yml)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from confidant import practice_answers
from confidant.action_filled import ACTION_FILLED_VARIABLES
from confidant.channels.channel_texts import REQUIRED_VARIANTS, WEB
from confidant.channels.sms.text import SMS_PART_LIMIT
from confidant.practice_answers import BEYOND_POLICY_TOPICS, RESPONSE_PREFIX
from confidant.response_filling import (
    PHRASE_PREFIX,
    PHRASE_VARIABLES,
    SEND_TIME_VARIABLES,
    ResponseError,
    check_responses,
)
from confidant.settings import FIRST_LINE_LIMIT, LINES_LIMIT, SITUATIONS, SPANISH_LIMIT
from confidant.vocabulary import RISK_INTENT_LIST, SPANISH_RISK_INTENT
from tests.support.practice_file import practice_settings
from tests.support.readability import SLOT_PATTERN, flesch_kincaid_grade, sentences

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
ALL_RESPONSES: Dict[str, List[Dict[str, Any]]] = DOMAIN["responses"]
# Phrases (utter_phrase_*) are parts filled into other responses ({next_reader}), never sent alone.
PHRASES = {name: variations for name, variations in ALL_RESPONSES.items() if name.startswith(PHRASE_PREFIX)}
RESPONSES = {name: variations for name, variations in ALL_RESPONSES.items() if name not in PHRASES}
FAQ_RESPONSES = {name: variations for name, variations in RESPONSES.items() if name.startswith("utter_faq/")}
SECTION_IDS = set(re.findall(r"^\|\s*([a-z][a-z-]*)\s*\|", (ROOT / "docs/source/SECTIONS.md").read_text(), re.M)) - {
    "id"
}

# Longest values a practice may set (practice.yml validation keeps within these or shorter
# in practice; the SMS limit is checked with them filled in).
WORST_CASE = {
    "practice_name": 30,
    "practice_phone": 16,
    "practice_email": 30,
    "practice_website": 30,
    "practice_hours": 40,
    "emergency_number": 5,
    "crisis_line": 30,
    "crisis_lines": 120,
    "retention_days": 4,
    "max_message_chars": 6,
    # Per kind of writer (practice.yml crisis.situations; settings validation keeps them within).
    **{f"first_line_{situation}": FIRST_LINE_LIMIT for situation in SITUATIONS},
    **{f"lines_{situation}": LINES_LIMIT for situation in SITUATIONS},
    "first_line_spanish": SPANISH_LIMIT,
    **{f"first_line_spanish_{situation}": SPANISH_LIMIT for situation in SITUATIONS},
    # Filled when the message is sent; test_next_reader_phrases_fit checks the phrases keep to it.
    "next_reader": 100,
    # Filled in by action_save_callback (confidant/callback_text.py keeps good_time this short).
    "reach_how": 12,
    "contact_ending": 2,
    "contact_masked": 40,
    "good_time": 60,
}
# The parts of {next_reader}, longest cases: "on Wednesday, September 30", "12:30 p.m.".
PHRASE_WORST_CASE = {"next_open_day": 26, "next_open_time": 10, "next_open_weekday": 9, "next_open_date": 12}
SMS_LIMIT = 300
# Written in Spanish: the grade formula is for English.
SPANISH_RESPONSES = {"utter_crisis_spanish", "utter_other_language"}
# The condition of the variations written for a question in Spanish (FAQ answers, the welcome).
IN_SPANISH = [{"type": "slot", "name": "language", "value": "es"}]
# The fixture practice's own numbers: a response names them through placeholders only.
PRACTICE_NUMBERS = [
    number for line in practice_settings().crisis.lines for number in (line.call, line.text) if number
] + [practice_settings().practice.phone, practice_settings().crisis.emergency_number]
REQUIRED_FAQ = {
    "what_is_confidentiality",
    "why_it_matters",
    "safe_to_share",
    "is_it_law",
    "limits_overview",
    "limit_harm",
    "limit_abuse",
    "limit_court",
    "tell_parents",
    "tell_others",
    "warned_before_disclosure",
    "records_privacy",
    "bot_privacy",
    "contact_practice",
    "minor_age",
    "what_counts_as_abuse",
}
# Questions the policy page does not answer: each answer says so and sends the client to the
# practice (docs/source/ has nothing more to give).
BEYOND_POLICY_FAQ = {
    "beyond_insurance",
    "beyond_own_records",
    "beyond_couples_family_group",
    "beyond_telehealth",
    "beyond_other_providers",
    "beyond_school",
    "beyond_employer",
    "beyond_court_ordered",
    "beyond_substances_crimes",
    "beyond_past_abuse_adult",
    "beyond_partner_violence",
    "beyond_immigration",
    "beyond_messaging",
    "beyond_after_death",
    "beyond_other",
}
# Words that would promise more than the policy does: it names three limits without saying they
# are the only ones, and never says everything is private.
OVERSTATEMENTS = re.compile(
    r"only a few limits|the few limits|there are (?:only )?three limits|the only limits|"
    r"yes, what you share|always private|100%|completely private|never shared|"
    r"siempre (?:es |queda |será )?privad|totalmente privad|completamente privad|nunca se comparte|solo tres límites",
    re.IGNORECASE,
)


def in_spanish(variation: Dict[str, Any]) -> bool:
    return variation.get("condition") == IN_SPANISH


def web_variant(variations: List[Dict[str, Any]]) -> Dict[str, Any]:
    return next(v for v in variations if not v.get("channel"))


def sms_variant(variations: List[Dict[str, Any]]) -> Dict[str, Any]:
    return next(v for v in variations if v.get("channel") == "sms")


def worst_case_length(text: str) -> int:
    lengths = {**WORST_CASE, **PHRASE_WORST_CASE}
    return len(SLOT_PATTERN.sub(lambda m: "X" * lengths[m.group(1)], text))


def test_the_section_list_is_the_one_from_the_source() -> None:
    assert len(SECTION_IDS) == 14 and {"limit-court", "contact", "intro"} <= SECTION_IDS


def test_every_required_faq_has_a_response() -> None:
    assert {name.split("/", 1)[1] for name in FAQ_RESPONSES} >= REQUIRED_FAQ | BEYOND_POLICY_FAQ


@pytest.mark.parametrize("name", sorted(f"utter_faq/{key}" for key in BEYOND_POLICY_FAQ))
def test_beyond_policy_answers_say_so_and_point_to_the_practice(name: str) -> None:
    for variation in FAQ_RESPONSES[name]:
        text = variation["text"]
        says_not_covered = (
            "política" in text and re.search(r"\bno\b", text, re.IGNORECASE)
            if in_spanish(variation)
            else "policy" in text and re.search(r"\bnot\b|n't\b", text)
        )
        assert says_not_covered, f"{name} must say the policy does not cover it"
        assert "{practice_phone}" in text and "{practice_hours}" in text
        assert "contact" in variation["metadata"]["source"]


@pytest.mark.parametrize("name", sorted(FAQ_RESPONSES))
def test_faq_answers_do_not_overstate_privacy(name: str) -> None:
    for variation in FAQ_RESPONSES[name]:
        assert not OVERSTATEMENTS.search(variation["text"]), variation["text"]


@pytest.mark.parametrize("name", sorted(FAQ_RESPONSES))
def test_faq_answer_names_existing_sections(name: str) -> None:
    for variation in FAQ_RESPONSES[name]:
        sources = (variation.get("metadata") or {}).get("source")
        assert sources, f"{name} has a variation without metadata.source"
        assert set(sources) <= SECTION_IDS, f"{name} cites unknown sections {set(sources) - SECTION_IDS}"


def test_every_section_is_used_by_some_answer() -> None:
    used = {
        section
        for variations in RESPONSES.values()
        for variation in variations
        for section in (variation.get("metadata") or {}).get("source", [])
    }
    assert SECTION_IDS - used == set()


@pytest.mark.parametrize("name", sorted(FAQ_RESPONSES))
def test_faq_web_answer_is_two_to_five_plain_sentences(name: str) -> None:
    text = web_variant(FAQ_RESPONSES[name])["text"]
    assert 2 <= len(sentences(text)) <= 5
    assert flesch_kincaid_grade(text) <= 8.0


@pytest.mark.parametrize("name", sorted(FAQ_RESPONSES))
def test_faq_web_answer_offers_a_clarifying_button(name: str) -> None:
    metadata = web_variant(FAQ_RESPONSES[name])["metadata"]
    assert 0 < len(metadata["label"]) <= 32 and metadata["ask"].strip()


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_has_a_short_plain_sms_variant(name: str) -> None:
    sms_variant(RESPONSES[name])  # there is one
    for variant in (v for v in RESPONSES[name] if v.get("channel") == "sms"):  # and each fits one text
        assert worst_case_length(variant["text"]) <= SMS_LIMIT
        if name not in SPANISH_RESPONSES and not in_spanish(variant):
            assert flesch_kincaid_grade(variant["text"]) <= 8.0


@pytest.mark.parametrize("name", sorted(set(RESPONSES) - SPANISH_RESPONSES))
def test_every_web_variant_reads_at_grade_8_or_below(name: str) -> None:
    for variation in RESPONSES[name]:
        if not variation.get("channel") and not in_spanish(variation):
            assert flesch_kincaid_grade(variation["text"]) <= 8.0, variation["text"]


@pytest.mark.parametrize("name", sorted(REQUIRED_VARIANTS))
def test_what_the_channels_send_themselves_is_in_the_domain(name: str) -> None:
    """SMS HELP, the SMS fallback, error texts: held to the rules above like every other answer."""
    variants = {variation.get("channel") or WEB: variation["text"] for variation in RESPONSES[name]}
    assert set(REQUIRED_VARIANTS[name]) <= set(variants)
    for channel in REQUIRED_VARIANTS[name]:
        assert "{emergency_number}" in variants[channel]


def test_the_sms_help_gives_the_crisis_line() -> None:
    assert "{crisis_line}" in sms_variant(RESPONSES["utter_sms_help"])["text"]


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_responses_name_only_known_practice_details(name: str) -> None:
    for variation in RESPONSES[name]:
        assert set(SLOT_PATTERN.findall(variation["text"])) <= set(WORST_CASE)


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_no_crisis_number_is_hard_coded(name: str) -> None:
    """Numbers come from practice.yml so a practice outside the US is never shown the wrong one."""
    for variation in RESPONSES[name]:
        assert not re.search(r"\b(911|988|741741|999|112)\b", variation["text"])
        assert not any(number in variation["text"] for number in PRACTICE_NUMBERS)


ENGLISH_RISK_INTENTS = [i for i in RISK_INTENT_LIST if i.name != SPANISH_RISK_INTENT]
VICTIM_WRITERS = {"adult_victim_ipv", "adult_victim_sexual_assault", "child_victim", "abuse_unspecified"}


@pytest.mark.parametrize("risk_intent", ENGLISH_RISK_INTENTS, ids=lambda i: i.name)
def test_the_first_crisis_message_is_short_and_gives_the_numbers_for_that_writer(risk_intent) -> None:
    for variation in RESPONSES[risk_intent.reply]:
        text = variation["text"]
        assert "{emergency_number}" in text
        assert f"{{first_line_{risk_intent.writer}}}" in text
        assert len(text.split()) <= 30, "the numbers come first, in a short message"


@pytest.mark.parametrize("risk_intent", ENGLISH_RISK_INTENTS, ids=lambda i: i.name)
def test_the_rest_says_no_one_reads_live_that_a_person_is_told_and_when(risk_intent) -> None:
    for variation in RESPONSES[f"{risk_intent.reply}_more"]:
        text = variation["text"]
        assert "automated" in text or "computer" in text
        assert "{practice_name}" in text
        assert "{next_reader}" in text


@pytest.mark.parametrize("risk_intent", ENGLISH_RISK_INTENTS, ids=lambda i: i.name)
def test_no_victim_wording_to_someone_who_hurts_others_and_no_might_act_to_a_victim(risk_intent) -> None:
    texts = " ".join(v["text"] for v in RESPONSES[risk_intent.reply] + RESPONSES[f"{risk_intent.reply}_more"])
    if risk_intent.writer == "harming_others":
        assert "fault" not in texts and "deserve" not in texts
    if risk_intent.writer in VICTIM_WRITERS:
        assert "act on" not in texts and "might act" not in texts


@pytest.mark.parametrize(
    "name", ["utter_crisis_concern_abuse_more", "utter_crisis_child_more", "utter_crisis_abuse_more"]
)
def test_abuse_replies_state_the_reporting_duty(name: str) -> None:
    for variation in RESPONSES[name]:
        assert "report" in variation["text"] or "keep kids safe" in variation["text"]


def test_the_child_reply_is_in_plain_words_and_says_you_are_not_in_trouble() -> None:
    for name in ("utter_crisis_child", "utter_crisis_child_more"):
        for variation in RESPONSES[name]:
            assert flesch_kincaid_grade(variation["text"]) <= 5.0, variation["text"]
    for variation in RESPONSES["utter_crisis_child_more"]:
        assert "not in trouble" in variation["text"] and "not your fault" in variation["text"]
        assert "mandated" not in variation["text"] and "authorities" not in variation["text"]


def test_the_domain_can_be_filled_from_the_practice(practice) -> None:
    """What the response generator checks at start-up: every placeholder and card has a source."""
    slots = DOMAIN.get("slots", {})
    check_responses(
        ALL_RESPONSES,
        practice.response_variables(),
        slots,
        ACTION_FILLED_VARIABLES,
        practice.crisis.situations_open_any_time(),
    )


def test_any_time_is_said_only_of_a_line_open_at_any_hour(practice) -> None:
    """A practice whose first line for someone at risk keeps office hours must not be called 'any time'."""
    first = practice.crisis.lines_for("self_at_risk")[0]
    lines = [
        line.copy(update={"open_any_time": False}) if line.id == first.id else line for line in practice.crisis.lines
    ]
    crisis = practice.crisis.copy(update={"lines": lines})
    with pytest.raises(ResponseError, match="utter_crisis.*says 'any time' of \\{first_line_self_at_risk\\}"):
        check_responses(
            ALL_RESPONSES,
            practice.response_variables(),
            DOMAIN.get("slots", {}),
            ACTION_FILLED_VARIABLES,
            crisis.situations_open_any_time(),
        )


def test_phrase_variables_stay_in_phrases() -> None:
    assert set(PHRASE_WORST_CASE) == set(PHRASE_VARIABLES)
    for name, variations in RESPONSES.items():
        for variation in variations:
            assert not set(SLOT_PATTERN.findall(variation["text"])) & set(PHRASE_VARIABLES), name


@pytest.mark.parametrize("name", sorted(PHRASES))
def test_next_reader_phrases_fit_and_read_plainly(name: str) -> None:
    longest_day = max(
        worst_case_length(variation["text"])
        for phrase, variations in PHRASES.items()
        if phrase.startswith(PHRASE_PREFIX + "day_")
        for variation in variations
    )
    assert longest_day <= PHRASE_WORST_CASE["next_open_day"]
    for variation in PHRASES[name]:
        assert worst_case_length(variation["text"]) <= WORST_CASE["next_reader"]
        assert set(SLOT_PATTERN.findall(variation["text"])) <= set(WORST_CASE) | set(PHRASE_WORST_CASE)
        if name.startswith(PHRASE_PREFIX + "next_reader"):
            assert flesch_kincaid_grade(variation["text"]) <= 8.0


def test_a_practice_may_answer_exactly_the_questions_beyond_the_policy_page() -> None:
    """practice.yml `addendum.answers` topics are the domain's `utter_faq/beyond_<topic>`."""
    domain_topics = {name[len(RESPONSE_PREFIX) :] for name in FAQ_RESPONSES if name.startswith(RESPONSE_PREFIX)}
    assert set(BEYOND_POLICY_TOPICS) == domain_topics == {key[len("beyond_") :] for key in BEYOND_POLICY_FAQ}


def test_a_practices_own_answers_keep_the_domains_wording_rules() -> None:
    assert practice_answers.SMS_LIMIT == SMS_LIMIT == SMS_PART_LIMIT
    assert practice_answers.GRADE_LIMIT == 8.0
    assert set(practice_answers.SEND_TIME_VARIABLES) == set(SEND_TIME_VARIABLES)
    assert practice_answers.SEND_TIME_VARIABLES["next_reader"] == WORST_CASE["next_reader"]


# ---- answers in Spanish ----------------------------------------------------------------------

SPANISH_TOPICS = sorted(yaml.safe_load((ROOT / "data" / "topic_words_spanish.yml").read_text(encoding="utf-8")))
# Where an English answer names the crisis line, its Spanish one names the line's Spanish phrase.
SPANISH_PLACEHOLDER_FOR = {"crisis_line": "first_line_spanish"}


def english_and_spanish(variations: List[Dict[str, Any]], channel: Any) -> tuple:
    english = next(v for v in variations if v.get("channel") == channel and not v.get("condition"))
    spanish = [v for v in variations if v.get("channel") == channel and in_spanish(v)]
    return english, spanish


@pytest.mark.parametrize("key", SPANISH_TOPICS)
def test_every_topic_a_spanish_question_can_name_has_a_spanish_answer_on_each_channel(key: str) -> None:
    for channel in (None, "sms"):
        _, spanish = english_and_spanish(ALL_RESPONSES[f"utter_{key}"], channel)
        assert len(spanish) == 1, f"utter_{key} needs one Spanish variation for {channel or 'the web'}"


@pytest.mark.parametrize(
    "name", sorted(name for name, variations in RESPONSES.items() if any(in_spanish(v) for v in variations))
)
def test_a_spanish_answer_says_what_the_english_one_says_from_the_same_sections(name: str) -> None:
    for channel in (None, "sms"):
        english, [spanish] = english_and_spanish(RESPONSES[name], channel)
        assert spanish["metadata"]["source"] == english["metadata"]["source"]
        wanted = {SPANISH_PLACEHOLDER_FOR.get(p, p) for p in SLOT_PATTERN.findall(english["text"])}
        if name == "utter_welcome":
            wanted.add("first_line_spanish")  # the Spanish welcome names the line in Spanish, on SMS too
        assert set(SLOT_PATTERN.findall(spanish["text"])) == wanted, spanish["text"]
        assert "{crisis_line}" not in spanish["text"]  # an English phrase ("call or text 988") mid-sentence
        if channel is None and name.startswith("utter_faq/"):
            assert 2 <= len(sentences(spanish["text"])) <= 5


def test_the_spanish_welcome_says_no_one_reads_live_and_gives_the_numbers() -> None:
    for channel in (None, "sms"):
        _, [welcome] = english_and_spanish(RESPONSES["utter_welcome"], channel)
        text = welcome["text"]
        assert "nadie lee" in text.lower() and "automático" in text and "terapeuta" in text
        assert "{emergency_number}" in text and "{first_line_spanish}" in text


def test_the_note_for_a_message_it_cannot_place_says_what_it_can_do_and_that_no_one_reads_live() -> None:
    for variation in RESPONSES["utter_other_language"]:
        text = variation["text"]
        assert "{practice_phone}" in text and "{emergency_number}" in text
        if variation.get("condition"):  # neither English nor Spanish: in English
            assert "English and some Spanish" in text and "no one reads" in text
            assert flesch_kincaid_grade(text) <= 8.0
        else:
            assert "español" in text and "nadie lee" in text
