"""The response generator sends a practice's own answer in place of the domain's deflection."""

from __future__ import annotations

import asyncio
import copy
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Optional
from zoneinfo import ZoneInfo

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from actions.clarification import topic_button
from confidant.practice_nlg import PracticeResponseGenerator
from confidant.response_filling import ResponseError
from confidant.settings import PracticeSettings, load_settings
from tests.support.practice_answers import INSURANCE_ANSWER, write_practice

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
NEW_YORK = ZoneInfo("America/New_York")
INSURANCE = "utter_faq/beyond_insurance"


@pytest.fixture
def answered(tmp_path: Path) -> PracticeSettings:
    """The fixture practice, with its own answer to the insurance question."""
    return load_settings(write_practice(tmp_path))


def generator(settings: PracticeSettings, domain_data: Optional[Dict[str, Any]] = None) -> PracticeResponseGenerator:
    domain = Domain.from_dict(copy.deepcopy(domain_data or DOMAIN))
    moment = datetime(2025, 11, 21, 21, 30, tzinfo=NEW_YORK)  # Friday night: closed
    return PracticeResponseGenerator(domain=domain, settings=settings, clock=lambda: moment)


def say(nlg: PracticeResponseGenerator, name: str, channel: str) -> Dict[str, Any]:
    response = asyncio.run(nlg.generate(name, DialogueStateTracker("conv-1", []), channel))
    assert response is not None
    return response


@pytest.mark.parametrize("channel", ["rest", "socketio"])
def test_the_web_gets_the_practices_web_answer(answered: PracticeSettings, channel: str) -> None:
    text = say(generator(answered), INSURANCE, channel)["text"]
    phone, hours = answered.practice.phone, answered.practice.hours
    assert text == (
        "We bill your insurance only if you ask us to. Your insurer is then told the dates of your visits "
        "and a diagnosis code, but not what you talk about. If you pay for sessions yourself, your insurer "
        f"is told nothing. Questions? Call us at {phone} ({hours})."
    )


def test_sms_gets_the_practices_sms_answer(answered: PracticeSettings) -> None:
    text = say(generator(answered), INSURANCE, "sms")["text"]
    assert text.startswith("We bill insurance only if you ask.")
    assert text.endswith(f"Call {answered.practice.phone} ({answered.practice.hours}).")


def test_without_an_answer_the_deflection_is_sent(practice: PracticeSettings) -> None:
    for channel in ("rest", "sms"):
        text = say(generator(practice), INSURANCE, channel)["text"]
        assert "does not cover" in text and "insurer" in text and "We bill" not in text


def test_other_topics_keep_their_deflection(answered: PracticeSettings) -> None:
    text = say(generator(answered), "utter_faq/beyond_school", "rest")["text"]
    assert "does not cover schools" in text


def test_the_answer_names_its_sources_and_keeps_the_topics_button(answered: PracticeSettings) -> None:
    nlg = generator(answered)
    web = say(nlg, INSURANCE, "rest")["metadata"]
    assert web == {
        "source": ["insurance-billing", "definition", "contact"],
        "label": "Insurance and billing",
        "ask": "Will my insurance company find out what I talk about in therapy?",
        "answered_by": "practice",
    }
    assert say(nlg, INSURANCE, "sms")["metadata"]["source"] == ["insurance-billing", "definition", "contact"]
    # The clarifying action builds the topic's button from the same metadata.
    assert topic_button({"responses": nlg.responses}, "faq/beyond_insurance") == {
        "title": "Insurance and billing",
        "payload": "Will my insurance company find out what I talk about in therapy?",
    }


def test_the_domain_itself_is_not_changed(answered: PracticeSettings) -> None:
    domain = Domain.from_dict(copy.deepcopy(DOMAIN))
    PracticeResponseGenerator(domain=domain, settings=answered)
    assert "does not cover insurance" in domain.responses[INSURANCE][0]["text"]
    assert domain.responses[INSURANCE][0]["metadata"]["source"] == ["definition", "limits-intro", "contact"]


def test_an_answer_naming_next_reader_is_filled_when_sent(tmp_path: Path) -> None:
    sms = "We bill insurance only if you ask. Leave us a message here. {next_reader}"
    settings = load_settings(write_practice(tmp_path, answers={"insurance": {**INSURANCE_ANSWER, "sms": sms}}))
    text = say(generator(settings), INSURANCE, "sms")["text"]
    assert text.endswith("The practice is closed now. Someone will read this on Monday from 9 a.m.")


def test_an_answer_for_a_topic_the_domain_does_not_deflect_stops_start_up(answered: PracticeSettings) -> None:
    domain_data = copy.deepcopy(DOMAIN)
    del domain_data["responses"][INSURANCE]
    with pytest.raises(ResponseError, match="answers 'insurance', but domain.yml has no response utter_faq/beyond_"):
        generator(answered, domain_data)
