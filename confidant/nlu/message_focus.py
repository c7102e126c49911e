"""Find the question in a long message: people tell the story first and ask last.

DIET reads a message as one bag of features. In a post of several sentences whose question is
the last one ("my ex is fighting me for custody ... can his lawyer get what I told my
counsellor?"), the story's words outweigh the question's and the answer drifts to the story's
topic, or the FAQ gate asks a clarifying question. This module picks the parts of a long
message worth reading on their own (each question, with the sentence before it as context) and
chooses between the reading of the whole message and the readings of those parts.

A message can also ask two different things ("Can my wife find out what I say? And if I get
subpoenaed, can her lawyer get my file?"). When two of its questions, each read alone, are sure
of two different answers, and the second does not repeat the first, the second answer is
recorded too (`focus.second_answer`, and an entity the dialogue's rule reads) and sent after
the first. A question asked beside a request to book ("I'd like to book an intake. Can my boss
find out?") is answered, and the answer is followed by the offer to book (`focus.offer_appointment`
and its entity).

The risk side works the same way over the whole message, two neighbouring sentences at a time:
a despairing sentence in the middle of a long story can be drowned out in the whole message's
reading, so a part the risk layers find to be current risk on its own makes the whole message a
risk message.

Pure functions over Rasa's parse dictionaries; `confidant.rasa_internals.message_focus` runs
them inside Rasa's message processor.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from confidant.nlu.language import language_read
from confidant.nlu.topic_words import booking_request_words, named_topic_answer, spanish_answer
from confidant.risk.findings import (
    SAFETY_STATEMENT_OUTWEIGHS_BELOW,
    figure_outweighs_classifier,
    safety_outweighs_classifier,
)
from confidant.vocabulary import (
    CONTACT_PRACTICE_ANSWER,
    FAQ_INTENT,
    FOCUS_PROPERTY,
    NEAREST_PROPERTY,
    NLU_FALLBACK_INTENT,
    OFFER_APPOINTMENT_ENTITY,
    REQUEST_APPOINTMENT_INTENT,
    RISK_INTENTS,
    RISK_PROPERTY,
    SECOND_ANSWER_ENTITY,
    SHARE_FEELINGS_INTENT,
    intent_of,
    selected_answer,
    selected_answer_confidence,
    selector_ranking,
)

# Messages shorter than this are read whole: a short message is its own question.
MIN_FOCUS_CHARS = 120
# At most this many questions are read on their own (the last ones asked), and at most this
# many windows of sentences for risk.
MAX_QUESTIONS = 3
MAX_RISK_PARTS = 12
# A part's FAQ answer replaces the whole message's reading when it is at least this sure...
MIN_PART_CONFIDENCE = 0.5
# ... and surer than the whole message's reading by at least this much.
MIN_GAIN = 0.1
# Where the whole message would get a clarifying question, a question part is answered from this
# strength on when another reading of the question (with the sentence before it, or alone) picks
# the same answer: two readings that agree are surer than either one.
MIN_AGREED_PART_CONFIDENCE = 0.3
# A sentence DIET alone (below near-certain) took for risk counts only where the nearest training
# examples give the risk intents at least this share (docs/evaluation.md, "A second witness for a
# sentence read alone"): of the parts DIET alone escalated on six sets, 22 of 77 ordinary ones had
# a share under 0.1, and 4 of 54 risk ones (3 of those with DIET near-certain).
MIN_NEAREST_RISK_FOR_A_PART = 0.1
# That witness and DIET's 0.9 are weak ones: a part standing on nothing stronger counts only where
# the whole message leans to risk too (its nearest examples, or DIET's risk intents together, at
# least MIN_WHOLE_RISK_LEAN). A part stands alone from DIET_SURE_OF_A_PART or
# NEAREST_RISK_A_PART_STANDS_ON. A teenager's "idk yet. my mom reads my texts sometimes and she
# already thinks im being dramatic." read alone was self-harm, on a weak witness, in a question
# about parents with no risk anywhere else. Chosen on the read sets, where it spared 6 questions
# and no risk message; on the unread ones it spared 3 ordinary messages and 3 questions and lost
# no risk message (docs/evaluation.md, "A weak witness, discipline asked about, a past abuser
# near children").
DIET_SURE_OF_A_PART = 0.95
NEAREST_RISK_A_PART_STANDS_ON = 0.2
MIN_WHOLE_RISK_LEAN = 0.05
# A long message (from this many characters) that the FAQ gate would send to a clarifying
# question is answered with its own best FAQ answer where DIET is at least fairly sure it is a
# question and the selector's best answer reaches its bar: in a long story the selector's
# confidence is spread over every topic the story touches, so the gate's bar for short questions
# (0.3) asks too often (docs/evaluation.md, "A long message's own answer"; chosen on the read sets).
LONG_MESSAGE_CHARS = 200
LONG_MESSAGE_MIN_QUESTION_CONFIDENCE = 0.45
LONG_MESSAGE_MIN_ANSWER_CONFIDENCE = 0.25
# The readings the offer to book may follow: an answer, and the acknowledgement of a story.
ANSWERS_AN_OFFER_MAY_FOLLOW = frozenset({FAQ_INTENT, SHARE_FEELINGS_INTENT})
# A risk message's question is answered too when the whole message's answer is this sure ...
ALSO_ASKED_MIN_CONFIDENCE = 0.7
# ... or this sure where DIET itself reads the message partly as a question (its FAQ intent holds
# at least QUESTION_READING_MIN_CONFIDENCE): a long question about the rules that one sentence
# made a risk message got no answer at all at 0.7 (docs/evaluation.md, "The answer beside the
# crisis reply"; chosen seeing counts on every set, unread ones included).
ALSO_ASKED_MIN_CONFIDENCE_FOR_A_QUESTION = 0.5
QUESTION_READING_MIN_CONFIDENCE = 0.1
# Answers that only the full bar lets beside a crisis reply: "what happens to my records after I
# die" must never be guessed at for someone who just said they want to die.
ANSWERS_ONLY_AT_THE_FULL_BAR = frozenset({"faq/beyond_after_death"})
# A message's second question is answered too when it and the question the first answer
# answers are, each read alone, at least this sure (chosen on heldout/independent,
# docs/evaluation.md "Two questions, two answers": at 0.7 an off-topic second answer came in).
MIN_SECOND_ANSWER_STRENGTH = 0.75
# Answers that say largely the same as each other: one after the other would repeat it (the
# overview lists every limit; the parents and age answers, the abuse answers, the "who could
# find out" answers share their paragraphs). Not the evaluation's RELATED_TOPICS, which says
# which answer is a fair stand-in for another.
REPEATING_ANSWERS: FrozenSet[FrozenSet[str]] = frozenset(
    frozenset({f"faq/{a}", f"faq/{b}"})
    for a, b in (
        ("limits_overview", "limit_harm"),
        ("limits_overview", "limit_abuse"),
        ("limits_overview", "limit_court"),
        ("limits_overview", "safe_to_share"),
        ("limits_overview", "warned_before_disclosure"),
        ("what_is_confidentiality", "safe_to_share"),
        ("tell_parents", "minor_age"),
        ("tell_parents", "tell_others"),
        ("limit_abuse", "what_counts_as_abuse"),
        ("limit_court", "beyond_court_ordered"),
    )
)
# Never a second answer: the catch-all "the policy does not cover this" says nothing a second time.
NOT_A_SECOND_ANSWER = frozenset({"faq/beyond_other"})

# The focus record's reason where one sentence, read alone, made the message a risk message.
RISK_PART_REASON = "a sentence read alone is current risk"

SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\s*\n+\s*")
QUESTION_OPENER = re.compile(
    r"^\W*(?:and|but|so|ok|okay|also|like|basically|anyway|just|um|well)?[\s,]*"
    r"(?:will|would|wld|do|does|did|can|could|cud|should|shall|is|isnt|isn't|are|am|what|whats|what's|how|"
    r"who|whom|whose|when|where|which|why|if|wat|wht)\b",
    re.IGNORECASE,
)
ASKING_PHRASE = re.compile(
    r"\b(?:i\s*(?:was|am|'m|m)?\s*wondering|i\s*(?:want|need|wanna|would like)\s*to\s*know|"
    r"(?:can|could)\s*(?:you|u|someone)\s*(?:tell|explain)|i\s*(?:have|got)\s*a\s*question|"
    r"my\s*question\s*is|(?:not\s*sure|unsure)\s*(?:if|whether)|idk\s*(?:if|whether))\b",
    re.IGNORECASE,
)


# Where a question starts inside a long sentence: "... I guess what I'm asking is whether it stays
# between me and the counselor", or a voice-to-text message without any full stop ("... what I
# want to know is whatever I say in there does it go anywhere").
QUESTION_INSIDE = re.compile(
    r"\b(?:(?:so|and|but|anyway|basically|honestly|i\s*guess)[\s,]+)?"
    r"(?:what\s*i\s*(?:really\s*|just\s*)?(?:want|need|wanna|would\s*like|'d\s*like)\s*to\s*know\s*(?:is)?|"
    r"what\s*i\s*(?:am|'m|m)\s*(?:really\s*|basically\s*)?asking\s*(?:is)?|"
    r"i\s*(?:am|'m|m)\s*(?:just\s*)?asking\s*(?:if|whether)|"
    r"(?:my|the|our)\s*(?:real\s*|main\s*|only\s*|big\s*|actual\s*)?question\s*(?:is|was)|"
    r"i\s*(?:just\s*)?(?:want|need|wanna)\s*to\s*know\s*(?:if|whether|what|who|how)|"
    r"i\s*(?:was|am|'m|m)?\s*wondering\s*(?:if|whether|what|who|how))\b",
    re.IGNORECASE,
)
# A question found inside a sentence is read on its own only when this much comes before it, and
# at least this many words after the words that announce it.
MIN_LEAD_CHARS = 40
MIN_WORDS_ASKED = 4


def sentence_spans(text: str) -> List[Tuple[int, int]]:
    """Where each sentence starts and ends in the message (line breaks end a sentence too)."""
    spans: List[Tuple[int, int]] = []
    start = 0
    for brk in [*SENTENCE_BREAK.finditer(text), None]:
        end = brk.start() if brk else len(text)
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + len(piece.rstrip())))
        if brk:
            start = brk.end()
    return spans


def sentences(text: str) -> List[str]:
    """The message's sentences, in order."""
    return [text[start:end] for start, end in sentence_spans(text)]


def is_question(sentence: str) -> bool:
    """A sentence that asks something, with or without a question mark."""
    return "?" in sentence or bool(QUESTION_OPENER.search(sentence)) or bool(ASKING_PHRASE.search(sentence))


def asks_something(text: str) -> bool:
    """Any sentence of the message asks something."""
    return any(is_question(sentence) for sentence in sentences(text))


def also_asked(parse: Mapping[str, Any], min_confidence: Optional[float] = None) -> Optional[str]:
    """The FAQ answer a risk message also asked for ("I cut, will you tell my parents?"), if any.

    The answer's bar is lower where DIET reads the message partly as a question: the person asked
    about the rules and should hear them beside the crisis resources.
    """
    if not asks_something(str(parse.get("text") or "")):
        return None
    if min_confidence is None:
        min_confidence = (
            ALSO_ASKED_MIN_CONFIDENCE_FOR_A_QUESTION
            if question_reading(parse) >= QUESTION_READING_MIN_CONFIDENCE
            else ALSO_ASKED_MIN_CONFIDENCE
        )
    key = selected_answer(parse)
    if key in ANSWERS_ONLY_AT_THE_FULL_BAR:
        min_confidence = max(min_confidence, ALSO_ASKED_MIN_CONFIDENCE)
    return key if key and selected_answer_confidence(parse) >= min_confidence else None


def question_reading(parse: Mapping[str, Any]) -> float:
    """DIET's confidence that the message is a question (its FAQ intent), wherever it ranks."""
    return max(
        (
            float(item.get("confidence") or 0.0)
            for item in parse.get("intent_ranking") or []
            if item.get("name") == FAQ_INTENT
        ),
        default=0.0,
    )


def second_answer(parse: Mapping[str, Any]) -> Optional[str]:
    """The second question's FAQ answer this step recorded for a message that asked two things, if any."""
    focus_record = parse.get(FOCUS_PROPERTY)
    second = focus_record.get("second_answer") if isinstance(focus_record, Mapping) else None
    return str(second) if second else None


def question_inside(sentence: str) -> Optional[str]:
    """The question asked at the end of a long sentence, from the words that announce it, if any."""
    found = [match for match in QUESTION_INSIDE.finditer(sentence) if match.start() >= MIN_LEAD_CHARS]
    if not found:
        return None
    last = found[-1]
    if len(sentence[last.end() :].split()) < MIN_WORDS_ASKED:
        return None  # "... I keep telling her my question is silly": nothing asked after it
    return sentence[last.start() :].strip()


def question_parts(text: str, short_too: bool = False) -> List[str]:
    """The parts of a long message to read on their own: each question, alone and with the sentence before it.

    Empty for a short message, unless `short_too` (the whole message would get a clarifying
    question: "we lost my uncle to suicide two years ago. will my therapist tell my parents what
    i say?" is read whole as neither). Without a question, the last sentence is taken as the one
    that asks (people end with what they want to know). A question announced inside a long
    sentence ("... what I want to know is whether it stays with the counselor") is read from
    there on too, which is also how a message without full stops gets its question read.
    """
    if len(text) < MIN_FOCUS_CHARS and not short_too:
        return []
    found = sentences(text)
    inside = [tail for sentence in found if (tail := question_inside(sentence))]
    if len(found) < 2:
        return inside[-MAX_QUESTIONS:]
    asked = [index for index, sentence in enumerate(found) if is_question(sentence)] or [len(found) - 1]
    parts: List[str] = list(dict.fromkeys(inside[-MAX_QUESTIONS:]))
    for index in asked[-MAX_QUESTIONS:]:
        candidates = [found[index]]
        if index > 0:
            candidates.append(f"{found[index - 1]} {found[index]}")
        for candidate in candidates:
            if candidate not in parts and candidate != text.strip():
                parts.append(candidate)
    return parts


def asked_questions(text: str) -> List[str]:
    """The message's questions, each alone, when it asks two or more (the last MAX_QUESTIONS of them).

    Short messages too: "Will you tell my wife? Can her lawyer get my file?" asks two things.
    """
    found = list(dict.fromkeys(sentence for sentence in sentences(text) if is_question(sentence)))
    return found[-MAX_QUESTIONS:] if len(found) >= 2 else []


def risk_parts(text: str) -> List[str]:
    """What the risk layers read on its own: every two neighbouring sentences, or both of two.

    Two sentences together keep enough context that DIET does not take an everyday fragment
    ("Nobody got hurt.") for risk, while a despairing sentence in a long story still stands
    out from it (measured in docs/evaluation.md, "Message focus").
    """
    spans = sentence_spans(text)
    if len(spans) < 2:
        return []
    if len(spans) == 2:
        return [text[start:end] for start, end in spans]
    # A very long message is read in at most MAX_RISK_PARTS windows of neighbouring sentences,
    # so that a 10,000-character post costs a dozen readings, not hundreds.
    step = max(1, math.ceil((len(spans) - 1) / MAX_RISK_PARTS))
    return [
        text[spans[index][0] : spans[min(index + 2 * step, len(spans)) - 1][1]]
        for index in range(0, len(spans) - 1, step)
    ]


def reading_strength(parse: Mapping[str, Any]) -> float:
    """How sure a reading is of what the client gets: an FAQ answer's confidence, else the intent's."""
    intent = intent_of(parse)
    if intent is None or intent == NLU_FALLBACK_INTENT:
        return 0.0
    if intent == FAQ_INTENT:
        return selected_answer_confidence(parse) * float((parse.get("intent") or {}).get("confidence") or 0.0)
    return float((parse.get("intent") or {}).get("confidence") or 0.0)


def is_risk(parse: Mapping[str, Any]) -> bool:
    return intent_of(parse) in RISK_INTENTS


@dataclass(frozen=True)
class FocusChoice:
    """Which reading the message gets: the whole message's, or one part's, and why."""

    part: Optional[str]
    reason: str


def choose_question(whole: Mapping[str, Any], parts: Sequence[tuple[str, Mapping[str, Any]]]) -> FocusChoice:
    """The whole message's reading unless a question part has a clearly surer FAQ answer."""
    if is_risk(whole):
        return FocusChoice(None, "whole message: risk")
    whole_strength = reading_strength(whole)
    best: Optional[tuple[float, str, Mapping[str, Any]]] = None
    for part, parse in parts:
        if intent_of(parse) != FAQ_INTENT:
            continue
        strength = reading_strength(parse)
        if best is None or strength > best[0]:
            best = (strength, part, parse)
    if best is None:
        return FocusChoice(None, "whole message")
    strength, best_part, best_parse = best
    if strength >= MIN_PART_CONFIDENCE and strength >= whole_strength + MIN_GAIN:
        return FocusChoice(best_part, f"question part {strength:.2f} over whole message {whole_strength:.2f}")
    if whole_strength == 0.0 and strength >= MIN_AGREED_PART_CONFIDENCE:
        answer = selected_answer(best_parse)
        if any(part != best_part and selected_answer(parse) == answer for part, parse in parts):
            return FocusChoice(best_part, f"two readings of the question agree on {answer} ({strength:.2f})")
    return FocusChoice(None, "whole message")


def repeats(first: str, second: str) -> bool:
    """The second answer would mostly repeat the first."""
    return first == second or frozenset({first, second}) in REPEATING_ANSWERS


def second_question(
    first: Mapping[str, Any], asked: Sequence[tuple[str, Mapping[str, Any]]]
) -> Optional[tuple[str, str]]:
    """The other question a message asks and its FAQ answer (part, `faq/<topic>`), or None.

    Conservative, since a wrong second answer is worse than none: the first answer must be an
    FAQ answer that one question, read alone, is sure of; another question, read alone, must be
    as sure of a different answer that does not repeat it. Of several, the surest.
    """
    first_key = selected_answer(first) if intent_of(first) == FAQ_INTENT else None
    if first_key is None:
        return None
    sure = [
        (reading_strength(parse), part, key)
        for part, parse in asked
        if intent_of(parse) == FAQ_INTENT
        and (key := selected_answer(parse))
        and reading_strength(parse) >= MIN_SECOND_ANSWER_STRENGTH
    ]
    if not any(key == first_key for _, _, key in sure):
        return None
    others = [
        (strength, part, key)
        for strength, part, key in sure
        if not repeats(first_key, key) and key not in NOT_A_SECOND_ANSWER
    ]
    if not others:
        return None
    _, part, key = max(others, key=lambda other: other[0])
    return part, key


def decided_risk(parse: Mapping[str, Any]) -> bool:
    """The risk layers themselves took this part for current risk (the screen, or DIET over its threshold).

    A part needs that: DIET's top guess below the threshold, which a whole message can still
    end on, is too often wrong on a fragment ("Nobody got hurt."). The threshold is the risk
    component's own (config.yml): a stricter one for parts, 0.8, missed 5 of 90 risk messages
    more on the development set (docs/evaluation.md, "Message focus").
    """
    risk = parse.get(RISK_PROPERTY) or {}
    return is_risk(parse) and bool(risk.get("intent")) and bool(risk.get("layers"))


def safety_statement(parse: Mapping[str, Any]) -> Optional[str]:
    """The writer's words that they are safe, as the screen found them in this reading's text."""
    screen = (parse.get(RISK_PROPERTY) or {}).get("screen")
    return screen.get("safety_statement") if isinstance(screen, Mapping) else None


def figure_of_speech(parse: Mapping[str, Any]) -> Optional[str]:
    """A plain figure of speech the screen found in this reading's text, where it matched no risk words."""
    screen = (parse.get(RISK_PROPERTY) or {}).get("screen")
    return screen.get("figure_of_speech") if isinstance(screen, Mapping) else None


def nearest_risk_share(parse: Mapping[str, Any]) -> Optional[float]:
    """The share the nearest training examples alone give the risk intents (None without them)."""
    nearest = parse.get(NEAREST_PROPERTY)
    if not isinstance(nearest, Mapping) or nearest.get("risk") is None:
        return None
    return float(nearest["risk"])


def diet_has_a_second_witness(
    parse: Mapping[str, Any], confidence: float, whole: Optional[Mapping[str, Any]] = None
) -> bool:
    """Does a sentence DIET alone took for risk have support beyond DIET's guess?

    A sentence cut out of a story ("He quit after two visits.", "I'm her dad.") is a fragment
    DIET has never seen the like of, and it guesses risk for many of them. The nearest training
    examples are the second witness. A part counts where DIET is certain or the nearest examples
    give it a clear share of risk; where DIET is only near-certain or their share is small, it
    counts only if the whole message leans to risk as well (`whole_leans_to_risk`). Without the
    nearest examples (a pipeline without them) DIET stands alone, as before: err towards escalation.
    """
    share = nearest_risk_share(parse)
    if share is None or confidence >= DIET_SURE_OF_A_PART or share >= NEAREST_RISK_A_PART_STANDS_ON:
        return True
    weak = confidence >= SAFETY_STATEMENT_OUTWEIGHS_BELOW or share >= MIN_NEAREST_RISK_FOR_A_PART
    return weak and (whole is None or whole_leans_to_risk(whole))


def whole_leans_to_risk(whole: Mapping[str, Any]) -> bool:
    """Does anything reading the whole message lean to risk: its nearest examples, or DIET's risk intents together?

    Either at MIN_WHOLE_RISK_LEAN; without the nearest examples' reading, it is taken to lean.
    """
    share = nearest_risk_share(whole)
    return share is None or max(share, diet_risk_share(whole)) >= MIN_WHOLE_RISK_LEAN


def diet_risk_share(parse: Mapping[str, Any]) -> float:
    """DIET's risk intents together, as its ranking gives them."""
    return sum(
        float(item.get("confidence") or 0.0)
        for item in parse.get("intent_ranking") or []
        if item.get("name") in RISK_INTENTS
    )


def explained_in_whole(whole: Mapping[str, Any], part_text: str, part: Mapping[str, Any]) -> bool:
    """Did the screen, reading the whole message, explain away every risk expression it finds in this part?

    A sentence read alone loses what the next one says: "Can you overdose on melatonin? My son
    took two gummies instead of one" is a question about an extra dose, "Can you overdose on
    melatonin?" alone is not; "I'm gonna kill him. I don't mean it" is taken back. Where the
    whole message's screen found the same expression at the same place and gave it a level
    other than current, the part's screen finding does not count.
    """
    whole_screen = (whole.get(RISK_PROPERTY) or {}).get("screen")
    part_screen = (part.get(RISK_PROPERTY) or {}).get("screen")
    if not isinstance(whole_screen, Mapping) or not isinstance(part_screen, Mapping):
        return False
    if whole_screen.get("level") in (None, "none", "current"):
        return False
    offset = str(whole.get("text") or "").find(part_text)
    part_evidence = [item for item in part_screen.get("evidence") or [] if isinstance(item, Mapping)]
    if offset < 0 or not part_evidence:
        return False
    explained = {
        (item.get("pattern"), item.get("start"), item.get("end"))
        for item in whole_screen.get("evidence") or []
        if isinstance(item, Mapping)
    }
    return all(
        (item.get("pattern"), int(item.get("start", -1)) + offset, int(item.get("end", -1)) + offset) in explained
        for item in part_evidence
    )


def said_of_nobody_in_whole(whole: Optional[Mapping[str, Any]], part: Mapping[str, Any]) -> bool:
    """Is the part's screen finding a subject said of nobody that the whole message's readings did not lean to?

    "I watched a documentary about abuse in nursing homes." read alone is nearer the risk
    examples than the whole message it came from; the whole message's reading is the witness
    that counts (confidant.risk.component), so the part's screen finding does not count either.
    """
    if whole is None or not (whole.get(RISK_PROPERTY) or {}).get("said_of_nobody_unwitnessed"):
        return False
    part_screen = (part.get(RISK_PROPERTY) or {}).get("screen")
    return isinstance(part_screen, Mapping) and bool(part_screen.get("said_of_nobody"))


def first_risk_part(
    parts: Sequence[tuple[str, Mapping[str, Any]]],
    whole_safety: Optional[str] = None,
    whole: Optional[Mapping[str, Any]] = None,
    whole_figure: Optional[str] = None,
) -> Optional[tuple[str, Mapping[str, Any]]]:
    """The first sentence the risk layers take for current risk on its own, if any.

    A part only DIET took for risk does not count where the whole message says, in another
    sentence, that the writer is safe ("My best friend died in April. ... I'm not in danger"),
    or is a plain figure of speech ("I'm going to kill it at my interview tomorrow!! wish me luck":
    "wish me luck" read alone), nor where nothing but DIET's guess supports it
    (`diet_has_a_second_witness`). Nor does a part whose risk expressions the whole message's
    screen explained away (`explained_in_whole`): as on a whole message, the screen's reading in
    context vetoes DIET's on those words. A subject said of nobody counts only as the whole
    message's readings allowed (`said_of_nobody_in_whole`).
    """
    for part, parse in parts:
        if not decided_risk(parse) or (whole is not None and explained_in_whole(whole, part, parse)):
            continue
        decision = parse.get(RISK_PROPERTY) or {}
        layers = list(decision.get("layers") or [])
        if "screen" in layers:
            if not said_of_nobody_in_whole(whole, parse):
                return part, parse
            if "classifier" not in layers:
                continue  # the screen's alone, and the whole message's readings did not lean to it
        confidence = float((decision.get("classifier") or {}).get("confidence") or 0.0)
        if (
            safety_outweighs_classifier(whole_safety, confidence)
            or figure_outweighs_classifier(whole_figure, confidence)
            or not diet_has_a_second_witness(parse, confidence, whole)
        ):
            continue
        return part, parse
    return None


# Reads pieces of text with the same pipeline, all in one go (one graph run for every part).
Parser = Callable[[List[str]], List[Dict[str, Any]]]


def focus(text: str, whole: Dict[str, Any], parse: Parser) -> Dict[str, Any]:
    """The parse the dialogue acts on: the whole message's, or a part's under the whole message's text.

    A risk part wins over everything (the crisis rules must fire); otherwise a question part
    wins over a weaker whole reading. A question answered beside a request to book is followed
    by the offer to book (`with_booking_offer`). The choice and its reason are recorded under
    `focus` for the review tool. A message in another language is left whole: its sentences are
    not English for the classifiers either. A Spanish question gets the topic its words name
    (`spanish_answer`), answered in Spanish, or else the note in Spanish.
    """
    if is_risk(whole):
        return whole
    language = language_read(whole)
    if language == "es":
        return _spanish_topic(text, whole)
    if language != "en":
        return whole
    return with_booking_offer(text, whole, _question_focus(text, whole, parse))


def _spanish_topic(text: str, whole: Dict[str, Any]) -> Dict[str, Any]:
    """`whole`, or where it names one topic, that topic's answer."""
    named = spanish_answer(text, whole)
    if named is None:
        return whole
    answered, reason = named
    answered[FOCUS_PROPERTY] = _record(whole, None, reason)
    return answered


def _question_focus(text: str, whole: Dict[str, Any], parse: Parser) -> Dict[str, Any]:
    """`focus` for a message whose whole reading is not risk: a risk part, a question part, or the whole."""
    windows = risk_parts(text)
    questions = question_parts(text, short_too=intent_of(whole) == NLU_FALLBACK_INTENT)
    asked = asked_questions(text)
    pieces = list(dict.fromkeys(windows + questions + asked))
    if not pieces:
        return long_message_answer(text, whole) or _named_topic(text, whole, whole)
    readings = dict(zip(pieces, parse(pieces), strict=True))
    risky = first_risk_part(
        [(part, readings[part]) for part in windows], safety_statement(whole), whole, figure_of_speech(whole)
    )
    if risky is not None:
        return _adopt_risk(whole, risky[1], risky[0])
    chosen = whole
    parts = [(part, readings[part]) for part in questions]
    choice = choose_question(whole, parts) if parts else FocusChoice(None, "whole message")
    if choice.part is not None:
        chosen = _adopt(whole, readings[choice.part], choice.part, choice.reason)
    else:
        chosen = long_message_answer(text, whole) or whole
    chosen = _named_topic(text, whole, chosen)
    if intent_of(chosen) == REQUEST_APPOINTMENT_INTENT:
        beside = question_beside_request([(part, readings[part]) for part in dict.fromkeys(questions + asked)])
        if beside is not None:
            part, reading = beside
            reason = f"question beside a request to book: {selected_answer(reading)} ({reading_strength(reading):.2f})"
            chosen = _with_offer(_adopt(whole, reading, part, reason), whole, text, booking_request_words(text))
    second = second_question(chosen, [(part, readings[part]) for part in asked])
    if second is None:
        return chosen
    return _with_second_answer(chosen, whole, *second)


def long_message_answer(text: str, whole: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """A long message's own FAQ answer in place of its clarifying question, where it is sure enough.

    The gates put `nlu_fallback` in front of DIET's ranking and leave the selector's output in
    place: DIET's own reading is the first other intent of the ranking. None where the clarifying
    question stays.
    """
    if len(text) < LONG_MESSAGE_CHARS or intent_of(whole) != NLU_FALLBACK_INTENT:
        return None
    ranking = [item for item in whole.get("intent_ranking") or [] if item.get("name") != NLU_FALLBACK_INTENT]
    diet = ranking[0] if ranking else {}
    if diet.get("name") != FAQ_INTENT or float(diet.get("confidence") or 0.0) < LONG_MESSAGE_MIN_QUESTION_CONFIDENCE:
        return None
    answers = selector_ranking(whole)
    best = float(answers[0].get("confidence") or 0.0) if answers else 0.0
    if best < LONG_MESSAGE_MIN_ANSWER_CONFIDENCE:
        return None
    answered = dict(whole)
    answered["intent"] = dict(diet)
    answered["intent_ranking"] = ranking
    reason = f"long message: its own answer {answers[0].get('intent_response_key')} ({best:.2f})"
    answered[FOCUS_PROPERTY] = _record(whole, None, reason)
    return answered


def _named_topic(text: str, whole: Mapping[str, Any], chosen: Dict[str, Any]) -> Dict[str, Any]:
    """`chosen`, or, where it is still a clarifying question or out of scope, the topic its words name."""
    named = named_topic_answer(text, chosen)
    if named is None:
        return chosen
    answered, reason = named
    answered[FOCUS_PROPERTY] = _record(whole, None, reason)
    return answered


def _adopt_risk(whole: Mapping[str, Any], part: Mapping[str, Any], part_text: str) -> Dict[str, Any]:
    """The whole message with the risk sentence's intent and finding; the question it asks is kept.

    "I've been cutting again. Would you tell my parents?": the crisis reply, and the answer the
    whole message's reading found, when it was sure of it.
    """
    adopted = dict(whole)
    adopted["intent"] = part.get("intent")
    adopted["intent_ranking"] = part.get("intent_ranking")
    risk = dict(part.get(RISK_PROPERTY) or {})
    risk["screen"] = _evidence_moved(risk.get("screen"), str(whole.get("text") or "").find(part_text))
    risk["also_asked"] = also_asked(whole)
    adopted[RISK_PROPERTY] = risk
    adopted[FOCUS_PROPERTY] = _record(whole, part_text, RISK_PART_REASON)
    return adopted


def _evidence_moved(screen: Any, offset: int) -> Any:
    """The screen's finding on a sentence, its evidence offsets counted in the whole message."""
    if not isinstance(screen, Mapping) or offset <= 0:
        return screen
    moved = dict(screen)
    moved["evidence"] = [
        {**item, "start": item["start"] + offset, "end": item["end"] + offset}
        if isinstance(item, Mapping) and isinstance(item.get("start"), int) and isinstance(item.get("end"), int)
        else item
        for item in screen.get("evidence") or []
    ]
    return moved


def _record(whole: Mapping[str, Any], part_text: Optional[str], reason: str) -> Dict[str, Any]:
    return {
        "part": part_text,
        "reason": reason,
        "whole": {"intent": intent_of(whole), "strength": round(reading_strength(whole), 3)},
    }


def _adopt(whole: Mapping[str, Any], part: Mapping[str, Any], part_text: str, reason: str) -> Dict[str, Any]:
    """The question part's reading, with the whole message's text and risk finding, and why."""
    adopted = dict(part)
    adopted["text"] = whole.get("text", adopted.get("text"))
    if RISK_PROPERTY in whole:
        adopted[RISK_PROPERTY] = whole[RISK_PROPERTY]
    adopted[FOCUS_PROPERTY] = _record(whole, part_text, reason)
    return adopted


def question_beside_request(
    parts: Sequence[tuple[str, Mapping[str, Any]]],
) -> Optional[tuple[str, Mapping[str, Any]]]:
    """A question asked beside a request to book, read alone and sure of its FAQ answer, if any.

    "I think I'm ready. Can I book a first session? Will my parents be told what I say?": the
    request would start the form and the question, often the fear that kept the writer from
    asking, would go unanswered. The surest such part, where it is not itself the request (its own
    words do not ask to book) and not "call us".
    """
    sure = [
        (reading_strength(parse), part, parse)
        for part, parse in parts
        if intent_of(parse) == FAQ_INTENT
        and selected_answer(parse) not in (None, CONTACT_PRACTICE_ANSWER)
        and reading_strength(parse) >= MIN_PART_CONFIDENCE
        and booking_request_words(part) is None
    ]
    if not sure:
        return None
    _, part, parse = max(sure, key=lambda item: item[0])
    return part, parse


def booking_offered(parse: Mapping[str, Any]) -> bool:
    """Whether this step marked the message's answer to be followed by the offer to book."""
    focus_record = parse.get(FOCUS_PROPERTY)
    return bool(focus_record.get("offer_appointment")) if isinstance(focus_record, Mapping) else False


def with_booking_offer(text: str, whole: Mapping[str, Any], chosen: Dict[str, Any]) -> Dict[str, Any]:
    """`chosen`, marked to be followed by the offer to book where it answers a question and the
    message also asks, in so many words, to book ("Reserve me a first session please, and does
    the front desk see my notes?"), or a clarifying question whose message asks to book (its
    first button is then the request).

    The answer stays what the client asked; the offer (a yes starts the appointment request)
    keeps the request they made. A story of how the writer feels that ends in a request ("...
    my sister said I should talk to someone. Can I get a first appointment?") keeps its
    acknowledgement the same way. Never for a risk reading: the crisis reply comes alone.
    """
    intent = intent_of(chosen)
    if (intent not in ANSWERS_AN_OFFER_MAY_FOLLOW and intent != NLU_FALLBACK_INTENT) or booking_offered(chosen):
        return chosen
    words = booking_request_words(text)
    if words is None:
        return chosen
    # The clarifying question offers the request as its first button (actions/clarification.py
    # reads the record); no entity, so its rule stays the clarifying question's.
    return _with_offer(chosen, whole, text, words, entity=intent != NLU_FALLBACK_INTENT)


def _with_offer(
    chosen: Mapping[str, Any],
    whole: Mapping[str, Any],
    text: str,
    words: Optional[re.Match[str]],
    entity: bool = True,
) -> Dict[str, Any]:
    """`chosen` marked for the offer to book: recorded under `focus`, and as the rule's entity
    (its span the words that asked, or the whole message where the classifier read the request)."""
    result = dict(chosen)
    record = dict(chosen.get(FOCUS_PROPERTY) or _record(whole, None, "whole message"))
    record["offer_appointment"] = words.group(0) if words else "the request read in the whole message"
    result[FOCUS_PROPERTY] = record
    if not entity:
        return result
    offer = {
        "entity": OFFER_APPOINTMENT_ENTITY,
        "value": REQUEST_APPOINTMENT_INTENT,
        "start": words.start() if words else 0,
        "end": min(words.end(), len(text)) if words else len(text),
        "extractor": "MessageFocus",
    }
    result["entities"] = [*(chosen.get("entities") or []), offer]
    return result


def _with_second_answer(
    chosen: Mapping[str, Any], whole: Mapping[str, Any], part_text: str, key: str
) -> Dict[str, Any]:
    """The chosen reading, with the second answer recorded under `focus` and as the rule's entity.

    The entity (its value the answer, its span the question) is what the dialogue's rule sees:
    Rasa's rules read intents and entities, not parse properties.
    """
    result = dict(chosen)
    record = dict(chosen.get(FOCUS_PROPERTY) or _record(whole, None, "whole message"))
    record["second_answer"] = key
    record["second_part"] = part_text
    result[FOCUS_PROPERTY] = record
    text = str(whole.get("text") or "")
    start = max(text.find(part_text), 0)
    entity = {
        "entity": SECOND_ANSWER_ENTITY,
        "value": key,
        "start": start,
        "end": start + len(part_text),
        "extractor": "MessageFocus",
    }
    result["entities"] = [*(chosen.get("entities") or []), entity]
    return result
