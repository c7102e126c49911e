"""A question's topic beyond the policy page, or a request to book, named in plain words.

"I don't have papers. Is it safe for me to go to therapy?" and "is therapy private from my
command if im active duty" name their topic plainly, yet DIET and the ResponseSelector, trained
on a few examples of each such topic, were unsure: the client got a clarifying question listing
policy topics that were not theirs, or "I can only answer questions about confidentiality".
Where the reading the dialogue would act on is still that clarifying question or out of scope,
the message focus step gives the one topic whose words occur its own answer (what the policy
says and does not say, and whom to ask). In the same way, "I'd like to book a first
appointment" that got the clarifying question or "call us" (`faq/contact_practice`) starts the
appointment request. The words are reviewed data (`data/topic_words.yml`), as narrow as the
wording allows; where two topics' words occur, nothing is chosen. A question answered beside a
request to book ("I'd like to book an intake. Can my boss find out?") keeps its answer, and the
request's words are found on their own (`booking_request_words`): the answer is followed by the
offer to book.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from confidant.settings import PROJECT_ROOT
from confidant.vocabulary import (
    CONTACT_PRACTICE_ANSWER,
    FAQ_INTENT,
    INFORM_CONTACT_INTENT,
    NLU_FALLBACK_INTENT,
    OUT_OF_SCOPE_INTENT,
    REQUEST_APPOINTMENT_INTENT,
    intent_of,
    selected_answer,
    with_selected_answer,
)
from confidant.yaml_files import load_yaml

TOPIC_WORDS_FILE = PROJECT_ROOT / "data" / "topic_words.yml"
# The same for a question written in Spanish, which no classifier reads (`spanish_answer`).
SPANISH_TOPIC_WORDS_FILE = PROJECT_ROOT / "data" / "topic_words_spanish.yml"
# The readings these words may replace: the clarifying question and "out of scope".
UNPLACED_INTENTS = frozenset({NLU_FALLBACK_INTENT, OUT_OF_SCOPE_INTENT})
# Requests the words may name (an intent, not an answer), and the one answer a request's words
# may also replace: "call us" is no answer to "I'd like to book a first appointment".
REQUEST_INTENTS = frozenset({REQUEST_APPOINTMENT_INTENT})
ANSWERS_A_REQUEST_REPLACES = frozenset({CONTACT_PRACTICE_ANSWER})
# ... and the readings: a number or email given with the request ("555-010-0142, i'd like to set
# up a first visit") is the request, whose form takes the number from the same message, not
# contact details given out of the blue.
READINGS_A_REQUEST_REPLACES = frozenset({INFORM_CONTACT_INTENT})
# How sure the answer is said to be: the least the FAQ gate lets through, so nothing downstream
# mistakes a word match for a sure classifier reading.
WORD_ANSWER_CONFIDENCE = 0.3
REASON_PREFIX = "topic named in plain words"
# A Spanish question's topic is all there is to go on: nothing downstream weighs it against
# another reading (the message focus step leaves a Spanish message whole).
SPANISH_ANSWER_CONFIDENCE = 1.0
SPANISH_REASON_PREFIX = "topic named in plain words, in Spanish"


class TopicWordsError(ValueError):
    """The words file names neither an FAQ answer nor a request, or an expression does not compile."""


@dataclass(frozen=True)
class TopicWords:
    """Compiled expressions by FAQ answer key (`faq/beyond_immigration`) or request intent."""

    expressions: Mapping[str, Sequence[re.Pattern[str]]]

    @classmethod
    def from_file(cls, path: Path) -> "TopicWords":
        raw = load_yaml(path.read_text(encoding="utf-8")) or {}
        if not isinstance(raw, dict):
            raise TopicWordsError(f"{path.name}: expected answer keys, each with a list of expressions")
        compiled: Dict[str, Tuple[re.Pattern[str], ...]] = {}
        for key, expressions in raw.items():
            named = str(key).startswith(f"{FAQ_INTENT}/") or key in REQUEST_INTENTS
            if not named or not isinstance(expressions, list) or not expressions:
                raise TopicWordsError(
                    f"{path.name}: '{key}' must be an FAQ answer key or one of {sorted(REQUEST_INTENTS)}, "
                    "with a list of expressions"
                )
            try:
                compiled[str(key)] = tuple(re.compile(str(expression)) for expression in expressions)
            except re.error as error:
                raise TopicWordsError(f"{path.name}: an expression of '{key}' does not compile: {error}") from error
        return cls(compiled)

    def first_match(self, key: str, text: str) -> Optional[re.Match[str]]:
        """Where one key's words first occur in `text` (lower-cased), whatever other topics it names."""
        lowered = text.lower()
        for expression in self.expressions.get(key, ()):
            match = expression.search(lowered)
            if match:
                return match
        return None

    def topics(self, text: str) -> Dict[str, str]:
        """Every key whose words occur in `text`, with the words found, in the file's order."""
        return {key: match.group(0) for key in self.expressions if (match := self.first_match(key, text))}

    def topic(self, text: str) -> Optional[Tuple[str, str]]:
        """The one key whose words occur in `text`, with the words found; None for none or several.

        A request to book beside one question ("can i book myself or does my mom have to") is the
        question: it is answered, and the offer to book follows the answer (message focus).
        """
        found = self.topics(text)
        asked = {key: said for key, said in found.items() if key not in REQUEST_INTENTS}
        if len(found) == 2 and len(asked) == 1:
            return next(iter(asked.items()))
        return next(iter(found.items())) if len(found) == 1 else None


@lru_cache(maxsize=1)
def default_topic_words() -> TopicWords:
    """The project's words, read once (start-up reads them first, so a broken file stops it)."""
    return TopicWords.from_file(TOPIC_WORDS_FILE)


@lru_cache(maxsize=1)
def default_spanish_topic_words() -> TopicWords:
    """The project's Spanish words, read once (start-up reads them first, like the English ones)."""
    return TopicWords.from_file(SPANISH_TOPIC_WORDS_FILE)


def spanish_answer(
    text: str, whole: Mapping[str, Any], words: Optional[TopicWords] = None
) -> Optional[Tuple[Dict[str, Any], str]]:
    """`whole` answered with the FAQ topic a Spanish question names in plain words, and why.

    The classifiers read English only, so these words are all that places a Spanish question;
    the answer's `language: es` variation is sent (domain.yml). None where no topic, or several,
    are named: the short note in Spanish stays.
    """
    found = (words or default_spanish_topic_words()).topic(text)
    if found is None:
        return None
    key = found[0]
    answered = _given_intent(
        with_selected_answer(whole, key, SPANISH_ANSWER_CONFIDENCE), whole, FAQ_INTENT, SPANISH_ANSWER_CONFIDENCE
    )
    # The words found stay out of the reason: a look-ahead's match is the message itself.
    return answered, f"{SPANISH_REASON_PREFIX}: {key}"


def named_topic_answer(
    text: str, chosen: Mapping[str, Any], words: Optional[TopicWords] = None
) -> Optional[Tuple[Dict[str, Any], str]]:
    """`chosen` given the topic or request its words name, and why, where it is a clarifying
    question or out of scope (for a request, also "call us" and contact details)."""
    unplaced = intent_of(chosen) in UNPLACED_INTENTS
    replaceable_answer = (
        intent_of(chosen) == FAQ_INTENT and selected_answer(chosen) in ANSWERS_A_REQUEST_REPLACES
    ) or intent_of(chosen) in READINGS_A_REQUEST_REPLACES
    if not unplaced and not replaceable_answer:
        return None
    found = (words or default_topic_words()).topic(text)
    if found is None:
        return None
    key, said = found
    if key in REQUEST_INTENTS:
        answered = dict(chosen)
        intent = key
    elif unplaced or (replaceable_answer and booking_request_words(text, words)):
        # A request's "call us" reading, where the request came with a question: the answer.
        answered = with_selected_answer(chosen, key, WORD_ANSWER_CONFIDENCE)
        intent = FAQ_INTENT
    else:
        return None
    return _given_intent(answered, chosen, intent, WORD_ANSWER_CONFIDENCE), f"{REASON_PREFIX}: {key} ({said!r})"


def _given_intent(
    answered: Dict[str, Any], chosen: Mapping[str, Any], intent: str, confidence: float
) -> Dict[str, Any]:
    """`answered` with `intent` at `confidence` on top of `chosen`'s ranking (its other intents after it)."""
    answered["intent"] = {"name": intent, "confidence": confidence}
    others = [item for item in chosen.get("intent_ranking") or [] if item.get("name") != intent]
    answered["intent_ranking"] = [dict(answered["intent"]), *others]
    return answered


def booking_request_words(text: str, words: Optional[TopicWords] = None) -> Optional[re.Match[str]]:
    """The words of `text` that ask to book, wherever they are and whatever else it asks; None if none."""
    return (words or default_topic_words()).first_match(REQUEST_APPOINTMENT_INTENT, text)
