"""The response generator inside Rasa: crisis placeholders, the crisis card, honest time."""

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
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from confidant.action_filled import ACTION_FILLED_VARIABLES
from confidant.practice_nlg import PracticeResponseGenerator
from confidant.response_filling import ResponseError
from confidant.settings import SITUATIONS, load_settings
from tests.support.practice_file import practice_data, practice_settings

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
SETTINGS = practice_settings()
NEW_YORK = ZoneInfo("America/New_York")  # the fixture practice's time zone (Monday to Friday, 9 to 5)

# Responses the way the lead's crisis replies will use the new placeholders.
TEST_RESPONSES = {
    "utter_test_first": [
        {"text": "Please {first_line_self_at_risk}. Also: {lines_self_at_risk}. {first_line_spanish}."},
    ],
    "utter_test_card": [
        {"text": "Help is there any time: {first_line_child_victim}.", "custom": {"crisis_card": "child_victim"}},
        {"text": "Any time: {first_line_child_victim}.", "custom": {"crisis_card": "child_victim"}, "channel": "sms"},
    ],
    "utter_test_time": [
        {"text": "I'm letting a person know. {next_reader}"},
        {"text": "SMS: {next_reader}", "channel": "sms"},
    ],
}


def generator(responses: Optional[Dict[str, Any]] = None, now: Optional[datetime] = None) -> PracticeResponseGenerator:
    data = copy.deepcopy(DOMAIN)
    data["responses"].update(responses if responses is not None else TEST_RESPONSES)
    domain = Domain.from_dict(data)
    moment = now or datetime(2025, 11, 19, 11, tzinfo=NEW_YORK)
    return PracticeResponseGenerator(domain=domain, settings=SETTINGS, clock=lambda: moment)


def say(nlg: PracticeResponseGenerator, name: str, channel: str = "socketio", **kwargs: Any) -> Dict[str, Any]:
    tracker = DialogueStateTracker("conv-1", [])
    response = asyncio.run(nlg.generate(name, tracker, channel, **kwargs))
    assert response is not None
    return response


def lines_of(situation: str) -> list:
    """The crisis lines the fixture practice lists for `situation`, as written in the file."""
    crisis = practice_data()["crisis"]
    by_id = {line["id"]: line for line in crisis["lines"]}
    return [by_id[line_id] for line_id in crisis["situations"][situation]]


def test_the_first_line_and_lines_of_a_situation_are_filled() -> None:
    text = say(generator(), "utter_test_first")["text"]
    first, second = lines_of("self_at_risk")[:2]
    assert len(lines_of("self_at_risk")) == 2
    [spanish] = [line["spanish"] for line in lines_of("general") if line.get("spanish")]
    assert text == (
        f"Please {first['how']} ({first['name']}). Also: {first['how']} ({first['name']}), "
        f"or {second['how']} ({second['name']}). {spanish}."
    )


def test_every_existing_response_still_renders_completely() -> None:
    nlg = generator()
    for name in DOMAIN["responses"]:
        if name.startswith("utter_phrase_"):  # parts of {next_reader}, never sent alone
            continue
        # What the action that sends a response fills in (the call-back read-back).
        filled_by_action = {variable: "x" for variable in ACTION_FILLED_VARIABLES.get(name, ())}
        # A text only the SMS channel sends (utter_sms_help ...) has no web variant.
        has_web = any(not variation.get("channel") for variation in DOMAIN["responses"][name])
        for channel in ("socketio", "sms") if has_web else ("sms",):
            text = say(nlg, name, channel, **filled_by_action).get("text") or ""
            assert "{" not in text, f"{name} ({channel}) left a placeholder: {text}"


def test_a_crisis_card_becomes_the_widgets_payload() -> None:
    response = say(generator(), "utter_test_card")
    lines = lines_of("child_victim")
    assert response["text"] == f"Help is there any time: {lines[0]['how']} ({lines[0]['name']})."
    assert response["custom"] == SETTINGS.crisis.crisis_card("child_victim")
    card = response["custom"]["crisis_card"]
    assert card["emergency"] == {"name": "Emergency", "call": practice_data()["crisis"]["emergency_number"]}
    assert [line["name"] for line in card["lines"]] == [line["name"] for line in lines]
    assert set(card["lines"][0]) == {"name", "call", "text", "text_body", "note"}


def test_the_same_response_twice_keeps_its_card_unexpanded_in_the_domain() -> None:
    nlg = generator()
    say(nlg, "utter_test_card")
    assert nlg.responses["utter_test_card"][0]["custom"] == {"crisis_card": "child_victim"}
    assert say(nlg, "utter_test_card")["custom"]["crisis_card"]["situation"] == "child_victim"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Wednesday 11 a.m.: open.
        (datetime(2025, 11, 19, 11, tzinfo=NEW_YORK), "Someone at the practice will see this today."),
        # Friday night.
        (
            datetime(2025, 11, 21, 21, 30, tzinfo=NEW_YORK),
            "The practice is closed now. Someone will read this on Monday from 9 a.m.",
        ),
        # Sunday afternoon.
        (
            datetime(2025, 11, 23, 15, tzinfo=NEW_YORK),
            "The practice is closed now. Someone will read this tomorrow from 9 a.m.",
        ),
        # Thanksgiving (a holiday of the fixture practice) at 10 a.m.: read on Friday.
        (
            datetime(2025, 11, 27, 10, tzinfo=NEW_YORK),
            "The practice is closed now. Someone will read this tomorrow from 9 a.m.",
        ),
        # Christmas Eve evening: Christmas is a holiday, then the weekend.
        (
            datetime(2025, 12, 24, 18, tzinfo=NEW_YORK),
            "The practice is closed now. Someone will read this on Friday from 9 a.m.",
        ),
        # The edges: 8:59 is closed (read today), 5 p.m. is closed (read tomorrow).
        (
            datetime(2025, 11, 19, 8, 59, tzinfo=NEW_YORK),
            "The practice is closed now. Someone will read this today from 9 a.m.",
        ),
        (
            datetime(2025, 11, 19, 17, 0, tzinfo=NEW_YORK),
            "The practice is closed now. Someone will read this tomorrow from 9 a.m.",
        ),
        (datetime(2025, 11, 19, 16, 59, tzinfo=NEW_YORK), "Someone at the practice will see this today."),
    ],
)
def test_next_reader_says_when_a_person_will_see_it(now: datetime, expected: str) -> None:
    assert say(generator(now=now), "utter_test_time")["text"] == f"I'm letting a person know. {expected}"


def test_next_reader_is_filled_at_send_time_not_start_up() -> None:
    moments = iter([datetime(2025, 11, 19, 11, tzinfo=NEW_YORK), datetime(2025, 11, 21, 22, tzinfo=NEW_YORK)])
    data = copy.deepcopy(DOMAIN)
    data["responses"].update(TEST_RESPONSES)
    nlg = PracticeResponseGenerator(domain=Domain.from_dict(data), settings=SETTINGS, clock=lambda: next(moments))
    assert say(nlg, "utter_test_time")["text"].endswith("will see this today.")
    assert say(nlg, "utter_test_time")["text"].endswith("on Monday from 9 a.m.")


def test_next_reader_uses_the_phrases_of_the_messages_channel() -> None:
    responses = copy.deepcopy(TEST_RESPONSES)
    nlg_domain = copy.deepcopy(DOMAIN)
    nlg_domain["responses"].update(responses)
    nlg_domain["responses"]["utter_phrase_next_reader_open"].append({"text": "Read today.", "channel": "sms"})
    wednesday = datetime(2025, 11, 19, 11, tzinfo=NEW_YORK)
    nlg = PracticeResponseGenerator(domain=Domain.from_dict(nlg_domain), settings=SETTINGS, clock=lambda: wednesday)
    assert say(nlg, "utter_test_time", "sms")["text"] == "SMS: Read today."
    assert say(nlg, "utter_test_time", "socketio")["text"].endswith("Someone at the practice will see this today.")


@pytest.mark.parametrize(
    ("responses", "problem"),
    [
        ({"utter_x": [{"text": "Call {lines_self_at_rsk}."}]}, r"utter_x names \{lines_self_at_rsk\}"),
        ({"utter_x": [{"text": "Hi", "custom": {"crisis_card": "teen"}}]}, "crisis card for 'teen'"),
        ({"utter_x": [{"text": "On {next_open_weekday}."}]}, "only the utter_phrase_"),
    ],
)
def test_a_response_nothing_fills_stops_start_up(responses: Dict[str, Any], problem: str) -> None:
    with pytest.raises(ResponseError, match=problem):
        generator(responses)


def test_next_reader_without_its_phrases_stops_start_up() -> None:
    data = copy.deepcopy(DOMAIN)
    data["responses"] = {name: v for name, v in data["responses"].items() if not name.startswith("utter_phrase_")}
    data["responses"].update(TEST_RESPONSES)
    with pytest.raises(ResponseError, match="needs the phrase utter_phrase_next_reader_closed"):
        PracticeResponseGenerator(domain=Domain.from_dict(data), settings=SETTINGS)


def test_spanish_without_a_spanish_line_stops_start_up(tmp_path: Path) -> None:
    raw = practice_data()
    for line in raw["crisis"]["lines"]:
        line.pop("spanish", None)
    path = tmp_path / "practice.yml"
    path.write_text(yaml.safe_dump(raw))
    data = copy.deepcopy(DOMAIN)
    data["responses"].update(TEST_RESPONSES)
    with pytest.raises(ResponseError, match="first_line_spanish.*needs a crisis line with a `spanish` phrase"):
        PracticeResponseGenerator(domain=Domain.from_dict(data), settings=load_settings(path))


def test_a_spanish_line_missing_for_one_kind_of_writer_stops_start_up(tmp_path: Path) -> None:
    raw = practice_data()
    ipv_lines = set(raw["crisis"]["situations"]["adult_victim_ipv"])
    for line in raw["crisis"]["lines"]:
        if line["id"] in ipv_lines:
            line.pop("spanish", None)
    path = tmp_path / "practice.yml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ResponseError, match="first_line_spanish_adult_victim_ipv.*adult_victim_ipv.*`spanish` phrase"):
        PracticeResponseGenerator(domain=Domain.from_dict(copy.deepcopy(DOMAIN)), settings=load_settings(path))


def say_after(message_risk: Optional[Dict[str, Any]], name: str, channel: str = "socketio") -> Dict[str, Any]:
    """`name` sent in answer to a client message the risk layers read as `message_risk`."""
    parse_data = {"intent": {"name": "risk_spanish", "confidence": 1.0}, "entities": []}
    if message_risk is not None:
        parse_data["risk"] = message_risk
    tracker = DialogueStateTracker.from_events("conv-1", [UserUttered("…", parse_data=parse_data)])
    response = asyncio.run(generator({}).generate(name, tracker, channel))
    assert response is not None
    return response


def spanish_phrase(situation: str) -> str:
    return next(line["spanish"] for line in lines_of(situation) if line.get("spanish"))


@pytest.mark.parametrize("channel", ["socketio", "sms"])
def test_the_spanish_crisis_reply_fits_what_the_spanish_phrases_found(channel: str) -> None:
    abuse = say_after({"category": "abuse", "intent": "risk_spanish"}, "utter_crisis_spanish", channel)["text"]
    # Someone being hurt: the partner-violence line and the child line, in Spanish; not the suicide line.
    assert spanish_phrase("adult_victim_ipv") in abuse
    assert spanish_phrase("child_victim") in abuse
    assert spanish_phrase("general") not in abuse
    harm = say_after({"category": "harm_others", "intent": "risk_spanish"}, "utter_crisis_spanish", channel)["text"]
    assert "aléjese" in harm and spanish_phrase("harming_others") in harm
    self_harm = say_after({"category": "self_harm", "intent": "risk_spanish"}, "utter_crisis_spanish", channel)
    assert self_harm["text"].startswith("Si está en peligro") and spanish_phrase("general") in self_harm["text"]
    # Unwanted thoughts of harm the writer fears: the calm general reply, not "step away".
    unwanted = {"category": "harm_others", "reply_category": "self_harm", "intent": "risk_spanish"}
    assert say_after(unwanted, "utter_crisis_spanish", channel)["text"] == self_harm["text"]
    # Without a category (an older tracker, a rule fired by hand) the general Spanish reply.
    assert say_after(None, "utter_crisis_spanish", channel)["text"] == self_harm["text"]
    if channel == "sms":
        assert max(len(abuse), len(harm), len(self_harm["text"])) <= 300
    else:
        assert say_after({"category": "abuse"}, "utter_crisis_spanish")["custom"]["crisis_card"]["situation"] == (
            "abuse_unspecified"
        )


def test_a_condition_on_a_risk_category_that_does_not_exist_stops_start_up() -> None:
    condition = {"type": "slot", "name": "risk_category", "value": "bullying"}
    with pytest.raises(ResponseError, match="risk_category 'bullying', not one of"):
        generator({"utter_x": [{"text": "Hi"}, {"text": "Hola", "condition": [condition]}]})


def test_every_situation_can_be_named_by_a_response() -> None:
    responses = {
        f"utter_test_{situation}": [
            {"text": f"{{first_line_{situation}}}; {{lines_{situation}}}", "custom": {"crisis_card": situation}}
        ]
        for situation in SITUATIONS
    }
    nlg = generator(responses)
    for situation in SITUATIONS:
        response = say(nlg, f"utter_test_{situation}")
        assert "{" not in response["text"]
        assert response["custom"]["crisis_card"]["situation"] == situation


def test_responses_set_after_start_up_are_checked_and_filled_like_the_first() -> None:
    """Rasa's Agent builds the generator, then sets `responses` once the model is loaded."""
    wednesday = datetime(2025, 11, 19, 11, tzinfo=NEW_YORK)
    nlg = PracticeResponseGenerator(domain=Domain.empty(), settings=SETTINGS, clock=lambda: wednesday)
    nlg.responses = Domain.load(str(ROOT / "domain.yml")).responses
    text = say(nlg, "utter_crisis_self_harm_more")["text"]
    assert "{" not in text and SETTINGS.practice.name in text


def answer_to(language: str, name: str, channel: str = "socketio") -> str:
    """`name` sent in answer to a client's question the risk component found written in `language`."""
    parse_data = {"intent": {"name": "faq", "confidence": 1.0}, "entities": [], "risk": {"language": language}}
    tracker = DialogueStateTracker.from_events("conv-1", [UserUttered("…", parse_data=parse_data)])
    response = asyncio.run(generator({}).generate(name, tracker, channel))
    assert response is not None
    return response["text"]


@pytest.mark.parametrize("channel", ["socketio", "sms"])
def test_a_question_in_spanish_gets_the_spanish_answer_and_an_english_one_the_english(channel: str) -> None:
    spanish = answer_to("es", "utter_faq/tell_parents", channel)
    english = answer_to("en", "utter_faq/tell_parents", channel)
    assert "terapeuta" in spanish and SETTINGS.practice.phone in spanish
    assert "therapist" in english and "terapeuta" not in english
    # A message in a language with no variation of its own gets the English one (and the note
    # in Spanish is what such messages are answered with).
    assert answer_to("other", "utter_faq/tell_parents", channel) == english


@pytest.mark.parametrize("channel", ["socketio", "sms"])
def test_the_note_is_in_spanish_for_spanish_and_in_english_for_any_other_language(channel: str) -> None:
    assert "español" in answer_to("es", "utter_other_language", channel)
    assert "English and some Spanish" in answer_to("other", "utter_other_language", channel)


def test_the_spanish_welcome_names_the_crisis_line_in_spanish() -> None:
    welcome = answer_to("es", "utter_welcome")
    assert "nadie lee este chat en vivo" in welcome and SETTINGS.response_variables()["first_line_spanish"] in welcome


def test_a_condition_on_a_language_that_does_not_exist_stops_start_up() -> None:
    condition = {"type": "slot", "name": "language", "value": "fr"}
    with pytest.raises(ResponseError, match="language 'fr', not one of"):
        generator({"utter_x": [{"text": "Hi"}, {"text": "Salut", "condition": [condition]}]})
