"""The wording rules every client-facing response keeps (domain.yml)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from tests.support.readability import SLOT_PATTERN, flesch_kincaid_grade, sentences

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RESPONSES: Dict[str, List[Dict[str, Any]]] = DOMAIN["responses"]
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
    # Filled in by action_save_callback (confidant/callback_text.py keeps good_time this short).
    "reach_how": 12,
    "contact_ending": 2,
    "contact_masked": 40,
    "good_time": 60,
}
SMS_LIMIT = 300
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
}


def web_variant(variations: List[Dict[str, Any]]) -> Dict[str, Any]:
    return next(v for v in variations if not v.get("channel"))


def sms_variant(variations: List[Dict[str, Any]]) -> Dict[str, Any]:
    return next(v for v in variations if v.get("channel") == "sms")


def worst_case_length(text: str) -> int:
    return len(SLOT_PATTERN.sub(lambda m: "X" * WORST_CASE[m.group(1)], text))


def test_the_section_list_is_the_one_from_the_source() -> None:
    assert len(SECTION_IDS) == 14 and {"limit-court", "contact", "intro"} <= SECTION_IDS


def test_every_required_faq_has_a_response() -> None:
    assert {name.split("/", 1)[1] for name in FAQ_RESPONSES} >= REQUIRED_FAQ


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
    variant = sms_variant(RESPONSES[name])
    assert worst_case_length(variant["text"]) <= SMS_LIMIT
    assert flesch_kincaid_grade(variant["text"]) <= 8.0


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_responses_name_only_known_practice_details(name: str) -> None:
    for variation in RESPONSES[name]:
        assert set(SLOT_PATTERN.findall(variation["text"])) <= set(WORST_CASE)


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_no_crisis_number_is_hard_coded(name: str) -> None:
    """Numbers come from practice.yml so a practice outside the US is never shown the wrong one."""
    for variation in RESPONSES[name]:
        assert not re.search(r"\b(911|988|741741|999|112)\b", variation["text"])


def test_crisis_messages_say_a_person_will_be_told_and_no_one_reads_live() -> None:
    for name in ("utter_crisis_self_harm", "utter_crisis_harm_others", "utter_crisis_abuse"):
        for variation in RESPONSES[name]:
            text = variation["text"]
            assert "{emergency_number}" in text
            assert "{crisis_line" in text
            assert "automated" in text
            assert "{practice_name}" in text


def test_abuse_crisis_message_states_the_reporting_duty_before_inviting_detail() -> None:
    for variation in RESPONSES["utter_crisis_abuse"]:
        assert "report" in variation["text"]
