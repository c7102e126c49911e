"""The focus step's choices, on parse dictionaries shaped like Rasa's (no model needed)."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

import pytest

from confidant.nlu import message_focus
from confidant.nlu.message_focus import (
    FOCUS_PROPERTY,
    asks_something,
    focus,
    is_question,
    question_parts,
    risk_parts,
    sentences,
)

STORY = (
    "My ex and I split last year and now he wants full custody of our son. His lawyer keeps "
    "bringing up that I was depressed after the birth. Can he get hold of what I tell my counsellor?"
)


def parse(
    intent: str,
    confidence: float,
    answer: Optional[str] = None,
    answer_confidence: float = 0.0,
    risk_intent: Optional[str] = None,
    layers: Optional[List[str]] = None,
) -> Dict[str, Any]:
    """A parse as the pipeline returns it: the intent, the selector's answer, the risk decision."""
    result: Dict[str, Any] = {
        "text": "",
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "risk": {
            "intent": risk_intent,
            "layers": (layers if layers is not None else ["classifier"]) if risk_intent else [],
            "classifier": {"intent": intent, "confidence": confidence},
        },
    }
    if answer:
        result["response_selector"] = {
            "faq": {"response": {"intent_response_key": answer, "confidence": answer_confidence}, "ranking": []}
        }
    return result


def whole_of(text: str, reading: Dict[str, Any]) -> Dict[str, Any]:
    return {**reading, "text": text}


def each(read: Callable[[str], Dict[str, Any]]) -> Callable[[List[str]], List[Dict[str, Any]]]:
    """A parser of many parts from a reading of one."""
    return lambda parts: [read(part) for part in parts]


def test_sentences_split_on_end_marks_and_line_breaks() -> None:
    found = sentences("I'm 15. Will you tell my mum?\nasking for real")
    assert found == ["I'm 15.", "Will you tell my mum?", "asking for real"]


@pytest.mark.parametrize(
    "sentence",
    [
        "would my boss find out",
        "so can my parents see it",
        "I was wondering if my notes go to my insurer",
        "idk if you tell the school",
        "is it private?",
    ],
)
def test_questions_are_recognised_with_or_without_a_question_mark(sentence: str) -> None:
    assert is_question(sentence)


@pytest.mark.parametrize("sentence", ["my mum is a nurse", "we moved here in may.", "thanks for reading"])
def test_statements_are_not_questions(sentence: str) -> None:
    assert not is_question(sentence)


def test_a_short_message_is_read_whole() -> None:
    assert question_parts("will you tell my parents? im 15") == []


def test_a_short_message_offers_its_question_where_the_whole_would_be_asked_again() -> None:
    text = "my grandpa died in june. will the counselor tell my mom what i say?"
    assert question_parts(text) == []
    assert question_parts(text, short_too=True)[0] == "will the counselor tell my mom what i say?"


@pytest.mark.parametrize(("whole_intent", "answered"), [("nlu_fallback", True), ("share_feelings", False)])
def test_a_short_story_and_question_gets_the_answer_only_instead_of_a_clarifying_question(
    whole_intent: str, answered: bool
) -> None:
    """Read whole, a short message is its own question; a part is read only where the whole would ask again."""
    text = "my grandpa died in june. will the counselor tell my mom what i say?"
    whole = whole_of(text, parse(whole_intent, 0.4))
    parents = parse("faq", 1.0, "faq/tell_parents", 0.95)
    result = focus(text, whole, each(lambda part: parents if part.startswith("will") else whole))
    assert (FOCUS_PROPERTY in result) is answered
    if answered:
        assert result["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/tell_parents"


def test_a_long_message_offers_its_question_alone_and_with_the_sentence_before() -> None:
    parts = question_parts(STORY)
    assert parts[0] == "Can he get hold of what I tell my counsellor?"
    assert parts[1].startswith("His lawyer keeps") and parts[1].endswith("counsellor?")


def test_without_a_question_the_last_sentence_is_taken_as_the_one_that_asks() -> None:
    text = (
        "I have been meaning to write for weeks now and kept putting it off because of work. "
        "My main worry is the notes and who gets to read them later on."
    )
    assert question_parts(text)[0] == "My main worry is the notes and who gets to read them later on."


def test_a_surer_question_part_replaces_an_unsure_whole_reading() -> None:
    whole = whole_of(STORY, parse("nlu_fallback", 0.4))
    court = parse("faq", 0.98, "faq/limit_court", 0.9)
    result = focus(STORY, whole, each(lambda part: court if "counsellor?" in part else parse("share_feelings", 0.6)))
    assert result["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/limit_court"
    assert result["text"] == STORY
    assert result[FOCUS_PROPERTY]["whole"]["intent"] == "nlu_fallback"


@pytest.mark.parametrize(("with_context_answer", "answered"), [("faq/limit_court", True), ("faq/tell_others", False)])
def test_two_readings_of_the_question_that_agree_answer_where_the_whole_would_ask_again(
    with_context_answer: str, answered: bool
) -> None:
    """Under the usual strength, a question part still answers when its other reading agrees."""
    whole = whole_of(STORY, parse("nlu_fallback", 0.3))
    question = "Can he get hold of what I tell my counsellor?"

    def read(part: str) -> Dict[str, Any]:
        if part == question:
            return parse("faq", 0.9, "faq/limit_court", 0.4)  # 0.36: under MIN_PART_CONFIDENCE
        return parse("nlu_fallback", 0.3, with_context_answer, 0.5)

    result = focus(STORY, whole, each(read))
    assert (FOCUS_PROPERTY in result) is answered
    if answered:
        assert result["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/limit_court"
        assert "agree" in result[FOCUS_PROPERTY]["reason"]


def test_a_sure_whole_reading_is_kept() -> None:
    whole = whole_of(STORY, parse("faq", 1.0, "faq/records_privacy", 0.9))
    result = focus(STORY, whole, each(lambda part: parse("faq", 1.0, "faq/limit_court", 0.95)))
    assert result is whole


def test_a_question_part_must_be_clearly_surer_than_the_whole() -> None:
    whole = whole_of(STORY, parse("faq", 1.0, "faq/records_privacy", 0.6))
    gain = message_focus.MIN_GAIN / 2
    result = focus(STORY, whole, each(lambda part: parse("faq", 1.0, "faq/limit_court", 0.6 + gain)))
    assert FOCUS_PROPERTY not in result


def test_a_risk_sentence_inside_a_long_question_makes_it_a_risk_message_and_keeps_the_answer() -> None:
    text = "im 15 and ive been cutting again most nights. my mum doesnt know. would you have to tell her?"
    # parts: the first two sentences, then the last two
    whole = whole_of(text, parse("faq", 1.0, "faq/tell_parents", 0.95))

    def read(part: str) -> Dict[str, Any]:
        if "cutting" in part:
            return parse("risk_self_harm", 1.0, risk_intent="risk_self_harm")
        return parse("faq", 1.0, "faq/tell_parents", 0.95)

    result = focus(text, whole, each(read))
    assert result["intent"]["name"] == "risk_self_harm"
    assert result["risk"]["also_asked"] == "faq/tell_parents"
    assert result[FOCUS_PROPERTY]["part"].startswith("im 15 and ive been cutting")


def test_a_fragment_guessed_below_the_risk_threshold_does_not_escalate() -> None:
    """DIET's top guess on a sentence alone counts only when the risk layers decided it."""
    text = "I did some things years ago that were illegal. Nobody got hurt. Would a therapist report that?"
    whole = whole_of(text, parse("faq", 1.0, "faq/safe_to_share", 0.9))
    guess = parse("risk_harm_others", 0.45)  # risk intent on top, but no decision by the layers
    result = focus(text, whole, each(lambda part: guess if "Nobody got hurt." in part else whole))
    assert result["intent"]["name"] == "faq"
    # ... nor where the risk component chose the reply for it without a layer deciding
    fitted = parse("risk_harm_others", 1.0, risk_intent="risk_harm_others", layers=[])
    result = focus(text, whole, each(lambda part: fitted if "Nobody got hurt." in part else whole))
    assert result["intent"]["name"] == "faq"


def test_a_whole_message_already_at_risk_is_left_alone() -> None:
    whole = whole_of(STORY, parse("risk_self_harm", 1.0, risk_intent="risk_self_harm"))
    calls: list[str] = []
    assert focus(STORY, whole, each(lambda part: calls.append(part) or whole)) is whole
    assert calls == []


def test_single_sentences_are_not_split_for_risk() -> None:
    assert risk_parts("i want it all to stop") == []
    assert risk_parts("ok. i want it all to stop") == ["ok.", "i want it all to stop"]


def test_longer_messages_are_read_for_risk_two_neighbouring_sentences_at_a_time() -> None:
    text = "We moved in May.\nWork is fine.  I have the pills ready. Will you tell anyone?"
    assert risk_parts(text) == [
        "We moved in May.\nWork is fine.",
        "Work is fine.  I have the pills ready.",
        "I have the pills ready. Will you tell anyone?",
    ]
    assert all(part in text for part in risk_parts(text))


def test_asks_something_looks_at_every_sentence() -> None:
    assert asks_something("I cut last night. Will you tell my parents")
    assert not asks_something("I cut last night. My parents are asleep.")


def test_the_risk_sentences_evidence_points_into_the_whole_message() -> None:
    text = "ok so this is hard to say. i have the pills lined up. can my parents see this chat?"
    part = "ok so this is hard to say. i have the pills lined up."
    whole = whole_of(text, parse("faq", 1.0, "faq/tell_parents", 0.9))
    risky = parse("risk_self_harm", 1.0, risk_intent="risk_self_harm")
    start = part.index("pills lined up")
    evidence = {"text": "pills lined up", "start": start, "end": start + 14, "pattern": "p"}
    risky["risk"]["screen"] = {"evidence": [evidence]}
    result = focus(
        text, whole, each(lambda piece: risky if piece == part else parse("faq", 0.9, "faq/tell_parents", 0.8))
    )
    item = result["risk"]["screen"]["evidence"][0]
    assert text[item["start"] : item["end"]] == "pills lined up"


def test_a_very_long_message_is_read_in_a_bounded_number_of_windows_covering_every_sentence() -> None:
    text = " ".join(f"Sentence number {n} of a very long post." for n in range(200))
    parts = risk_parts(text)
    assert len(parts) <= message_focus.MAX_RISK_PARTS
    assert all(any(f"number {n} " in part for part in parts) for n in range(200))


@pytest.mark.parametrize(
    ("layers", "confidence", "escalated"),
    [(["classifier"], 0.95, True), (["classifier"], 0.4, False), (["screen"], 0.1, True)],
)
def test_a_part_needs_the_screen_or_the_classifier_over_its_threshold(
    layers: List[str], confidence: float, escalated: bool
) -> None:
    text = "Things have been tense lately. We argue about money and his mother. Would he be told if I came?"
    whole = whole_of(text, parse("faq", 1.0, "faq/tell_others", 0.9))
    # As the risk component leaves it: a decision (risk intent) only from the screen or from DIET
    # over its threshold (0.5); below it, DIET's guess stays on top with no decision.
    decided = "screen" in layers or confidence >= 0.5
    risky = parse("risk_harm_others", confidence, risk_intent="risk_harm_others" if decided else None, layers=layers)
    result = focus(text, whole, each(lambda part: risky if "argue" in part else whole))
    assert (result["intent"]["name"] == "risk_harm_others") is escalated


@pytest.mark.parametrize(("confidence", "escalated"), [(0.8, False), (0.97, True)])
def test_a_sentence_only_diet_took_for_risk_gives_way_to_the_writer_saying_they_are_safe(
    confidence: float, escalated: bool
) -> None:
    """The statement is in another sentence than the one DIET read as risk; a near-certain DIET still wins."""
    text = (
        "My best friend died in a crash in June. We had known each other since we were six. "
        "I'm not in danger or anything, just sad. Would her family ever hear what I say about her?"
    )
    whole = whole_of(text, parse("faq", 1.0, "faq/tell_others", 0.9))
    whole["risk"]["screen"] = {"level": "none", "evidence": [], "safety_statement": "I'm not in danger"}
    risky = parse("concern_for_someone", confidence, risk_intent="concern_for_someone")
    result = focus(text, whole, each(lambda part: risky if "crash" in part else whole))
    assert (result["intent"]["name"] == "concern_for_someone") is escalated


@pytest.mark.parametrize(("confidence", "escalated"), [(0.6, False), (0.95, False), (0.99, True)])
def test_a_sentence_only_diet_took_for_risk_gives_way_to_a_plain_figure_of_speech(
    confidence: float, escalated: bool
) -> None:
    """ "Wish me luck" read alone, after "I'm going to kill it at my audition": only a sure DIET stands."""
    text = "Big day tomorrow, I'm going to kill it at my audition!! Wish me luck, I've practised for months."
    whole = whole_of(text, parse("out_of_scope", 0.9))
    whole["risk"]["screen"] = {"level": "none", "evidence": [], "figure_of_speech": "kill it"}
    risky = parse("risk_self_harm", confidence, risk_intent="risk_self_harm")
    result = focus(text, whole, each(lambda part: risky if "Wish me luck" in part else whole))
    assert (result["intent"]["name"] == "risk_self_harm") is escalated


@pytest.mark.parametrize(
    ("confidence", "nearest_risk", "escalated"),
    [
        (0.7, 0.02, False),  # DIET's guess on a fragment, the nearest examples read no risk in it
        (0.7, 0.4, True),  # the nearest examples see risk too
        (0.95, 0.02, True),  # DIET near-certain stands alone
        (0.7, None, True),  # no nearest examples in the pipeline: DIET alone, as before
    ],
)
def test_a_sentence_only_diet_took_for_risk_needs_a_second_witness(
    confidence: float, nearest_risk: Optional[float], escalated: bool
) -> None:
    text = (
        "My grandfather's generation never talked about feelings. When my uncle saw someone, the whole "
        "family found out. He quit after two visits. Would anyone in my family hear about my sessions?"
    )
    whole = whole_of(text, parse("faq", 1.0, "faq/tell_others", 0.9))
    risky = parse("risk_self_harm", confidence, risk_intent="risk_self_harm")
    if nearest_risk is not None:
        risky["nearest"] = {"label": "faq/tell_others", "risk": nearest_risk}
    result = focus(text, whole, each(lambda part: risky if "quit" in part else whole))
    assert (result["intent"]["name"] == "risk_self_harm") is escalated


@pytest.mark.parametrize(
    ("confidence", "nearest_risk", "whole_nearest_risk", "whole_diet_risk", "escalated"),
    [
        (0.7, 0.15, 0.0, 0.0, False),  # a weak witness in a message with no risk anywhere else
        (0.92, 0.0, 0.01, 0.0, False),  # DIET near-certain, nothing else: the same
        (0.7, 0.15, 0.3, 0.0, True),  # the whole message's nearest examples lean to risk
        (0.7, 0.15, 0.0, 0.1, True),  # DIET gives the whole message some risk
        (0.7, 0.25, 0.0, 0.0, True),  # the part's nearest examples give it a clear share
        (0.97, 0.0, 0.0, 0.0, True),  # DIET certain of the part stands alone
    ],
)
def test_a_weak_witness_needs_the_whole_message_to_lean_to_risk(
    confidence: float, nearest_risk: float, whole_nearest_risk: float, whole_diet_risk: float, escalated: bool
) -> None:
    text = (
        "My first session is booked for Tuesday but my shift moved. Who do I ask to change it? I really "
        "don't want to lose my spot with her."
    )
    whole = whole_of(text, parse("faq", 1.0, "faq/contact_practice", 0.9))
    whole["nearest"] = {"label": "faq/contact_practice", "risk": whole_nearest_risk}
    whole["intent_ranking"].append({"name": "risk_harm_others", "confidence": whole_diet_risk})
    risky = parse("risk_harm_others", confidence, risk_intent="risk_harm_others")
    risky["nearest"] = {"label": "risk_harm_others", "risk": nearest_risk}
    result = focus(text, whole, each(lambda part: risky if "lose my spot" in part else whole))
    assert (result["intent"]["name"] == "risk_harm_others") is escalated


def test_the_screen_needs_no_second_witness() -> None:
    text = "We moved in spring. Last night I took a handful of pills. Is this chat private?"
    whole = whole_of(text, parse("faq", 1.0, "faq/bot_privacy", 0.9))
    risky = parse("risk_self_harm", 0.6, risk_intent="risk_self_harm", layers=["screen", "classifier"])
    risky["nearest"] = {"label": "faq/bot_privacy", "risk": 0.0}
    result = focus(text, whole, each(lambda part: risky if "pills" in part else whole))
    assert result["intent"]["name"] == "risk_self_harm"


def _with_screen(reading: Dict[str, Any], level: str, pattern: str, start: int, end: int) -> Dict[str, Any]:
    reading["risk"]["screen"] = {"level": level, "evidence": [{"pattern": pattern, "start": start, "end": end}]}
    return reading


@pytest.mark.parametrize(
    ("whole_level", "part_at", "escalated"), [("idiom", 8, False), ("current", 8, True), ("idiom", 3, True)]
)
def test_a_sentence_whose_risk_words_the_whole_message_explained_does_not_count(
    whole_level: str, part_at: int, escalated: bool
) -> None:
    """Read whole, the next sentence says it was an extra gummy by mistake; read alone, it says nothing."""
    text = "Can you overdose on melatonin? My son took two gummies instead of one by accident, he seems fine."
    start = text.index("overdose")
    whole = _with_screen(
        whole_of(text, parse("faq", 0.9, "faq/beyond_other", 0.8)), whole_level, "self_harm.overdose", start, start + 8
    )
    # The part's evidence at its own offsets; a different place in the whole is a different finding.
    part_start = part_at if part_at == 8 else start - 5
    risky = _with_screen(
        parse("risk_self_harm", 0.99, risk_intent="risk_self_harm", layers=["screen", "classifier"]),
        "current",
        "self_harm.overdose",
        part_start,
        part_start + 8,
    )
    result = focus(text, whole, each(lambda part: risky if part.startswith("Can you") else whole))
    assert (result["intent"]["name"] == "risk_self_harm") is escalated


def test_the_screen_finding_a_risk_sentence_outweighs_the_writer_saying_they_are_safe() -> None:
    text = "I'm not in danger or anything. But I took a handful of pills an hour ago. Is this chat private?"
    whole = whole_of(text, parse("faq", 1.0, "faq/bot_privacy", 0.9))
    whole["risk"]["screen"] = {"level": "none", "evidence": [], "safety_statement": "I'm not in danger"}
    risky = parse("risk_self_harm", 0.6, risk_intent="risk_self_harm", layers=["screen", "classifier"])
    result = focus(text, whole, each(lambda part: risky if "pills" in part else whole))
    assert result["intent"]["name"] == "risk_self_harm"


@pytest.mark.parametrize(
    ("sentence", "asked"),
    [
        (
            "ok im driving so this is voice to text my daughter set this up for me and what I want to know is "
            "whatever I say in there does it stay with the counselor",
            "and what I want to know is whatever I say in there does it stay with the counselor",
        ),
        (
            "We moved here in spring and I have been having a hard time at work, so my real question is "
            "whether my employer would ever find out",
            "so my real question is whether my employer would ever find out",
        ),
        ("I was wondering if my parents can see my notes", None),  # asked first thing: the sentence itself
        ("my sister keeps asking and I keep telling her my question is silly", None),  # nothing after it
    ],
)
def test_a_question_announced_inside_a_long_sentence_is_read_from_there(sentence: str, asked: Optional[str]) -> None:
    assert message_focus.question_inside(sentence) == asked


def test_a_long_message_without_full_stops_offers_its_announced_question() -> None:
    text = (
        "sorry this is long I have never done anything like this my wife passed in March and my doctor thinks "
        "I should talk to somebody what I need to know is if I tell the counselor things does it go in a file "
        "somewhere"
    )
    asked = "what I need to know is if I tell the counselor things does it go in a file somewhere"
    assert question_parts(text) == [asked]


# ---- two questions, two answers ----------------------------------------------------------------

TWO_QUESTIONS = "Can my wife find out what I say in sessions? And if I get subpoenaed, can her lawyer get my file?"
WIFE = "Can my wife find out what I say in sessions?"
LAWYER = "And if I get subpoenaed, can her lawyer get my file?"


def two_readings(first: Dict[str, Any], second: Dict[str, Any]) -> Callable[[List[str]], List[Dict[str, Any]]]:
    """Each question alone read as given; anything else (no other part here) as the first."""
    return each(lambda part: second if part == LAWYER else first)


def test_a_short_message_of_two_questions_offers_each_question_alone() -> None:
    assert message_focus.asked_questions(TWO_QUESTIONS) == [WIFE, LAWYER]
    assert message_focus.asked_questions("will you tell my parents? im 15") == []


def test_two_sure_questions_on_different_topics_get_a_second_answer() -> None:
    others = parse("faq", 1.0, "faq/tell_others", 0.95)
    court = parse("faq", 1.0, "faq/limit_court", 0.9)
    result = focus(TWO_QUESTIONS, whole_of(TWO_QUESTIONS, others), two_readings(others, court))
    assert result["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/tell_others"
    assert message_focus.second_answer(result) == "faq/limit_court"
    assert result[FOCUS_PROPERTY]["second_part"] == LAWYER
    [entity] = result["entities"]
    assert entity["entity"] == "second_answer" and entity["value"] == "faq/limit_court"
    assert TWO_QUESTIONS[entity["start"] : entity["end"]] == LAWYER


def test_the_second_answer_may_be_the_first_question() -> None:
    """The whole message was taken for the second question: the first one is the extra answer."""
    others = parse("faq", 1.0, "faq/tell_others", 0.95)
    court = parse("faq", 1.0, "faq/limit_court", 0.9)
    result = focus(TWO_QUESTIONS, whole_of(TWO_QUESTIONS, court), two_readings(others, court))
    assert message_focus.second_answer(result) == "faq/tell_others"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("faq/limit_court", "faq/limit_court"),  # the same answer twice
        ("faq/limits_overview", "faq/limit_court"),  # the overview already names the court
        ("faq/tell_parents", "faq/minor_age"),  # the same paragraphs
        ("faq/tell_others", "faq/beyond_other"),  # the catch-all says nothing a second time
    ],
)
def test_no_second_answer_that_would_repeat_the_first(first: str, second: str) -> None:
    whole = parse("faq", 1.0, first, 0.95)
    result = focus(TWO_QUESTIONS, whole_of(TWO_QUESTIONS, whole), two_readings(whole, parse("faq", 1.0, second, 0.95)))
    assert message_focus.second_answer(result) is None
    assert "entities" not in result


def test_no_second_answer_when_the_second_question_is_unsure() -> None:
    others = parse("faq", 1.0, "faq/tell_others", 0.95)
    unsure = parse("faq", 1.0, "faq/limit_court", message_focus.MIN_SECOND_ANSWER_STRENGTH - 0.01)
    result = focus(TWO_QUESTIONS, whole_of(TWO_QUESTIONS, others), two_readings(others, unsure))
    assert message_focus.second_answer(result) is None


def test_no_second_answer_when_no_question_alone_is_sure_of_the_first_answer() -> None:
    """Two readings of the parts that both differ from the whole's: which one was asked is unclear."""
    whole = parse("faq", 1.0, "faq/records_privacy", 0.9)
    result = focus(
        TWO_QUESTIONS,
        whole_of(TWO_QUESTIONS, whole),
        two_readings(parse("faq", 1.0, "faq/tell_others", 0.95), parse("faq", 1.0, "faq/limit_court", 0.95)),
    )
    assert message_focus.second_answer(result) is None


def test_no_second_answer_when_the_first_is_not_an_faq_answer() -> None:
    feelings = parse("share_feelings", 0.6)
    result = focus(
        TWO_QUESTIONS,
        whole_of(TWO_QUESTIONS, feelings),
        two_readings(parse("faq", 1.0, "faq/tell_others", 0.95), parse("faq", 1.0, "faq/limit_court", 0.95)),
    )
    assert message_focus.second_answer(result) is None


def test_two_sure_questions_the_whole_would_ask_again_about_get_both_answers() -> None:
    """Read whole, the two questions were a clarifying question; each read alone is sure."""
    result = focus(
        TWO_QUESTIONS,
        whole_of(TWO_QUESTIONS, parse("nlu_fallback", 0.4)),
        two_readings(parse("faq", 1.0, "faq/tell_others", 0.95), parse("faq", 1.0, "faq/limit_court", 0.96)),
    )
    answers = {
        result["response_selector"]["faq"]["response"]["intent_response_key"],
        message_focus.second_answer(result),
    }
    assert answers == {"faq/tell_others", "faq/limit_court"}


def test_a_question_part_that_wins_keeps_its_record_and_adds_the_second_answer() -> None:
    text = f"{STORY} And is this chat private?"
    court = parse("faq", 0.98, "faq/limit_court", 0.9)

    def read(part: str) -> Dict[str, Any]:
        if part == "And is this chat private?":
            return parse("faq", 1.0, "faq/bot_privacy", 0.8)
        return court if "counsellor?" in part else parse("share_feelings", 0.6)

    result = focus(text, whole_of(text, parse("nlu_fallback", 0.4)), each(read))
    record = result[FOCUS_PROPERTY]
    assert record["part"] == "Can he get hold of what I tell my counsellor?"
    assert record["second_answer"] == "faq/bot_privacy"


LONG_STORY = (
    "My ex and I split last year and now he wants full custody of our son. His lawyer keeps bringing up "
    "that I was depressed after the birth and that I saw someone for it. I start with a new counsellor "
    "next month. Can he get hold of what I tell her?"
)


def gated(text: str, question_confidence: float, answer_confidence: float) -> Dict[str, Any]:
    """A whole message the FAQ gate sent to a clarifying question: DIET's reading and the selector's stay behind it."""
    return {
        "text": text,
        "intent": {"name": "nlu_fallback", "confidence": answer_confidence},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": answer_confidence},
            {"name": "faq", "confidence": question_confidence},
            {"name": "share_feelings", "confidence": 0.1},
        ],
        "response_selector": {
            "faq": {
                "response": {"intent_response_key": "faq/limit_court", "confidence": answer_confidence},
                "ranking": [
                    {"intent_response_key": "faq/limit_court", "confidence": answer_confidence},
                    {"intent_response_key": "faq/tell_others", "confidence": answer_confidence - 0.05},
                ],
            }
        },
        "risk": {"intent": None, "layers": []},
    }


@pytest.mark.parametrize(
    ("text", "question_confidence", "answer_confidence", "answered"),
    [
        (LONG_STORY, 0.7, 0.28, True),
        (LONG_STORY, 0.7, 0.2, False),  # the selector's best under its bar
        (LONG_STORY, 0.4, 0.28, False),  # DIET not sure enough that it is a question
        (STORY, 0.7, 0.28, False),  # not a long message: the gate's own bar stands
    ],
)
def test_a_long_message_the_gate_would_ask_about_gets_its_own_answer_where_sure_enough(
    text: str, question_confidence: float, answer_confidence: float, answered: bool
) -> None:
    whole = gated(text, question_confidence, answer_confidence)
    result = focus(text, whole, each(lambda part: parse("nlu_fallback", 0.2)))
    if answered:
        assert result["intent"] == {"name": "faq", "confidence": question_confidence}
        assert result["intent_ranking"][0]["name"] == "faq"
        assert result["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/limit_court"
        assert result[FOCUS_PROPERTY]["reason"].startswith("long message: its own answer faq/limit_court")
    else:
        assert result["intent"]["name"] == "nlu_fallback"


# ---- a question beside a request to book --------------------------------------------------

BOOK_AND_ASK = "I'd like to book a first session. Does the front desk see my notes?"


def test_a_question_answered_beside_a_request_to_book_is_followed_by_the_offer() -> None:
    records = parse("faq", 0.9, "faq/records_privacy", 0.8)
    result = focus(BOOK_AND_ASK, whole_of(BOOK_AND_ASK, records), each(lambda part: records))
    assert result["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/records_privacy"
    assert message_focus.booking_offered(result)
    [entity] = [item for item in result["entities"] if item["entity"] == "offer_appointment"]
    assert entity["value"] == "request_appointment"
    assert BOOK_AND_ASK[entity["start"] : entity["end"]].lower().startswith("i'd like to book a first session")


@pytest.mark.parametrize(
    "text, reading",
    [
        # A question with no request to book.
        ("Does the front desk see my notes?", parse("faq", 0.9, "faq/records_privacy", 0.8)),
        # The request itself: it starts the form, no offer needed.
        (BOOK_AND_ASK, parse("request_appointment", 0.9)),
        # A risk message gets the crisis reply alone.
        (BOOK_AND_ASK, parse("risk_self_harm", 0.95, risk_intent="risk_self_harm", layers=["screen"])),
        # Out of scope: no answer to follow.
        (BOOK_AND_ASK, parse("out_of_scope", 0.9)),
    ],
)
def test_no_offer_to_book_without_an_answer_and_a_request(text: str, reading: Dict[str, Any]) -> None:
    result = focus(text, whole_of(text, reading), each(lambda part: reading))
    assert not message_focus.booking_offered(result)
    assert all(item["entity"] != "offer_appointment" for item in result.get("entities") or [])


def test_a_clarifying_question_whose_message_asks_to_book_is_marked_for_its_request_button() -> None:
    # Three topics' words (booking, insurance, video): none replaces the clarifying question.
    text = "I'd like to book a first session. Will my insurance company hear about it, and are video sessions private?"
    unclear = parse("nlu_fallback", 0.3)
    result = focus(text, whole_of(text, unclear), each(lambda part: unclear))
    assert result["intent"]["name"] == "nlu_fallback"
    assert message_focus.booking_offered(result)
    # No entity: the clarifying question's own rule still answers (its first button is the request).
    assert all(item["entity"] != "offer_appointment" for item in result.get("entities") or [])


def test_a_request_to_book_beside_one_question_gets_the_answer_then_the_offer() -> None:
    text = "I'd like to book a first session. Will my insurance company hear about it?"
    unclear = parse("nlu_fallback", 0.3)
    result = focus(text, whole_of(text, unclear), each(lambda part: unclear))
    assert result["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/beyond_insurance"
    assert message_focus.booking_offered(result)


def test_the_offer_follows_two_answers_too() -> None:
    text = "I want to book an intake. Can my wife find out what I say? And can her lawyer get my file?"
    others = parse("faq", 1.0, "faq/tell_others", 0.95)
    court = parse("faq", 1.0, "faq/limit_court", 0.9)
    readings = {"Can my wife find out what I say?": others, "And can her lawyer get my file?": court}
    result = focus(text, whole_of(text, others), each(lambda part: readings.get(part, others)))
    assert message_focus.second_answer(result) == "faq/limit_court"
    assert message_focus.booking_offered(result)
    assert sorted(item["entity"] for item in result["entities"]) == ["offer_appointment", "second_answer"]


REQUEST_AND_FEAR = "I think I'm ready to start. Can I book a first session? Will my parents be told what I say?"
PARENTS = "Will my parents be told what I say?"


def readings_for(
    parts: Dict[str, Dict[str, Any]], default: Dict[str, Any]
) -> Callable[[List[str]], List[Dict[str, Any]]]:
    return lambda pieces: [parts.get(piece, default) for piece in pieces]


def test_a_request_read_whole_answers_the_question_beside_it_first_then_offers_to_book() -> None:
    request = parse("request_appointment", 0.95)
    parents = parse("faq", 0.95, "faq/tell_parents", 0.9)
    result = focus(REQUEST_AND_FEAR, whole_of(REQUEST_AND_FEAR, request), readings_for({PARENTS: parents}, request))
    assert result["intent"]["name"] == "faq"
    assert result["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/tell_parents"
    assert result[FOCUS_PROPERTY]["reason"].startswith("question beside a request to book: faq/tell_parents")
    assert message_focus.booking_offered(result)
    [offer] = [item for item in result["entities"] if item["entity"] == "offer_appointment"]
    assert REQUEST_AND_FEAR[offer["start"] : offer["end"]].lower() == "can i book a first session"


@pytest.mark.parametrize(
    "question",
    [
        parse("faq", 0.6, "faq/tell_parents", 0.5),  # unsure: the request starts
        parse("faq", 0.95, "faq/contact_practice", 0.9),  # "call us" is no answer to put first
        parse("nlu_fallback", 0.3),
    ],
)
def test_a_request_stays_the_request_without_a_sure_answer_beside_it(question: Dict[str, Any]) -> None:
    request = parse("request_appointment", 0.95)
    result = focus(REQUEST_AND_FEAR, whole_of(REQUEST_AND_FEAR, request), readings_for({PARENTS: question}, request))
    assert result["intent"]["name"] == "request_appointment"
    assert not message_focus.booking_offered(result)


def test_a_question_that_is_itself_the_request_is_not_put_first() -> None:
    text = "I've thought about it for months and talked it over with my sister. Can I book a first session soon?"
    request = parse("request_appointment", 0.95)
    booking_as_faq = parse("faq", 0.95, "faq/minor_age", 0.9)
    result = focus(text, whole_of(text, request), each(lambda part: booking_as_faq))
    assert result["intent"]["name"] == "request_appointment"


@pytest.mark.parametrize(
    ("whole_unwitnessed", "part_said_of_nobody", "part_layers", "escalated"),
    [
        (True, True, ["screen"], False),  # the whole message's readings did not lean: the sentence alone does not count
        (False, True, ["screen"], True),  # they leaned: it counts as before
        (True, False, ["screen"], True),  # the sentence tells of harm the whole message did not (not said of nobody)
        (True, True, ["screen", "classifier"], True),  # DIET on the sentence, sure and witnessed, stands on its own
    ],
)
def test_a_subject_said_of_nobody_counts_in_a_sentence_only_as_the_whole_message_allowed(
    whole_unwitnessed: bool, part_said_of_nobody: bool, part_layers: List[str], escalated: bool
) -> None:
    text = (
        "Our book club read a novel about addiction last month. The chapter on overdoses was hard going. "
        "Anyway, do you run groups in the evening?"
    )
    whole = whole_of(text, parse("faq", 0.9, "faq/services", 0.8))
    whole["risk"]["screen"] = {"level": "current", "evidence": [], "said_of_nobody": True}
    if whole_unwitnessed:
        whole["risk"]["said_of_nobody_unwitnessed"] = True
    risky = parse("risk_self_harm", 0.97, risk_intent="risk_self_harm", layers=part_layers)
    risky["risk"]["screen"] = {"level": "current", "evidence": [], "said_of_nobody": part_said_of_nobody}
    result = focus(text, whole, each(lambda part: risky if "overdoses" in part else whole))
    assert (result["intent"]["name"] == "risk_self_harm") is escalated
