"""The message focus step inside Rasa's processor, against the trained model."""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from confidant.evaluation.model import load_agent, parse_all
from confidant.rasa_internals import message_focus
from confidant.vocabulary import RISK_INTENTS, answer_key
from tests.support.servers import model_path

# Written for this test: a story first, the question last (the shape real posts take).
CUSTODY = (
    "Me and my ex split up two years ago and it was messy. Now she's going for full custody and "
    "her lawyer keeps saying I'm unstable because I had a breakdown at work last spring. "
    "My friend says I should get help but I'm scared. If I start therapy with you, can her "
    "lawyer get my records and use them in court?"
)
RISK_IN_THE_MIDDLE = (
    "ok so my school counselor gave me your number. i'm in 10th grade. every night i hope i just "
    "dont see the morning. if i start seeing someone would my dad get the bills?"
)


@pytest.fixture(scope="module")
def agent() -> Iterator[Any]:
    loaded = load_agent(model_path())
    yield loaded
    message_focus.read_parts(True)


def parse(agent: Any, text: str, read_parts: bool = True) -> Dict[str, Any]:
    message_focus.read_parts(read_parts)
    try:
        return parse_all(agent, [text])[0]
    finally:
        message_focus.read_parts(True)


def test_a_story_first_question_last_gets_the_questions_answer(agent: Any) -> None:
    result = parse(agent, CUSTODY)
    assert answer_key(result) == "faq/limit_court", result.get("focus")


def test_a_risk_sentence_inside_a_question_escalates(agent: Any) -> None:
    result = parse(agent, RISK_IN_THE_MIDDLE)
    assert result["intent"]["name"] in RISK_INTENTS, result.get("risk")
    assert result["text"] == RISK_IN_THE_MIDDLE


def test_the_parts_are_what_escalates_it(agent: Any) -> None:
    """Read whole, as plain Rasa does, the same message is not escalated: the focus step is the difference."""
    whole = parse(agent, RISK_IN_THE_MIDDLE, read_parts=False)
    assert whole["intent"]["name"] not in RISK_INTENTS
    assert parse(agent, RISK_IN_THE_MIDDLE)["focus"]["reason"] == "a sentence read alone is current risk"


def test_short_messages_are_read_once_and_unchanged(agent: Any) -> None:
    text = "will my parents see what i say?"
    assert parse(agent, text) == parse(agent, text, read_parts=False)


def test_the_choice_is_recorded_when_a_part_wins(agent: Any) -> None:
    whole = parse(agent, CUSTODY, read_parts=False)
    focused = parse(agent, CUSTODY)
    if answer_key(whole) != answer_key(focused):
        assert "focus" in focused
    if "focus" in focused:
        assert focused["focus"]["whole"]["intent"] == whole["intent"]["name"]
        assert focused["focus"]["part"] in CUSTODY


# Written for this test: the message of issue 13, two questions on two topics.
TWO_QUESTIONS = (
    "Can my wife find out what I say in sessions? And if I get subpoenaed in the divorce, can her lawyer get my file?"
)


def test_a_message_of_two_questions_records_the_second_answer(agent: Any) -> None:
    result = parse(agent, TWO_QUESTIONS)
    answers = {answer_key(result), result["focus"]["second_answer"]}
    assert answers == {"faq/tell_others", "faq/limit_court"}, result.get("focus")
    assert [entity["entity"] for entity in result["entities"]] == ["second_answer"]


def test_a_message_of_one_question_has_no_second_answer(agent: Any) -> None:
    result = parse(agent, CUSTODY)
    assert "second_answer" not in (result.get("focus") or {})
    assert not result.get("entities")


# Written for this test: the subject named, of nobody; and the writer's own overdose, in a practical question.
SUBJECT_OF_NOBODY = (
    "Our church group is doing a course on domestic abuse awareness this spring. "
    "Do your therapists ever come and speak to groups like ours?"
)
OWN_OVERDOSE = "My overdose last month is in my GP notes. Does my GP get letters from you?"


def test_a_subject_said_of_nobody_is_answered_and_the_writers_own_overdose_escalates(agent: Any) -> None:
    """Neither DIET nor the nearest examples lean to risk on either: the screen's reading of whose it is decides."""
    named = parse(agent, SUBJECT_OF_NOBODY)
    assert named["intent"]["name"] not in RISK_INTENTS, named.get("risk")
    assert named["risk"]["said_of_nobody_unwitnessed"]
    own = parse(agent, OWN_OVERDOSE)
    assert own["intent"]["name"] == "risk_self_harm", own.get("risk")
    assert "screen" in own["risk"]["layers"]
