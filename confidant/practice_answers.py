"""A practice's own answers to the questions its policy page does not cover.

The domain answers each such question (`utter_faq/beyond_<topic>`) honestly: what the policy
does say, that it does not cover the rest, and to ask the practice. A practice can answer one
itself, without touching domain.yml, the training data or the model: it writes the sections
it needs in a policy addendum and, per topic, its answer in practice.yml (`addendum.answers`:
web and SMS wording, the sections cited). The response generator then sends that answer in
place of the deflection (`with_practice_answers`), inside Rasa; the settings check holds the
answers to the rules every domain answer keeps (`answer_problems`).
"""

from __future__ import annotations

import copy
import re
from typing import Any, Dict, Iterable, List, Mapping, Protocol, Sequence

from confidant.readability import flesch_kincaid_grade, sentences

# The `<topic>` of every `utter_faq/beyond_<topic>` in domain.yml (tests/domain checks they agree).
BEYOND_POLICY_TOPICS = (
    "insurance",
    "own_records",
    "couples_family_group",
    "telehealth",
    "other_providers",
    "school",
    "employer",
    "court_ordered",
    "substances_crimes",
    "past_abuse_adult",
    "partner_violence",
    "immigration",
    "messaging",
    "after_death",
    "other",
)
RESPONSE_PREFIX = "utter_faq/beyond_"
# The rules every answer in domain.yml keeps (tests/domain/test_responses.py): one SMS part,
# plain words, a short web answer.
SMS_LIMIT = 300
GRADE_LIMIT = 8.0
WEB_SENTENCE_LIMIT = 5
# Filled when the message is sent (response_filling.SEND_TIME_VARIABLES), at most this long.
SEND_TIME_VARIABLES = {"next_reader": 100}
# Placeholders as Rasa's interpolator reads them (response_filling.PLACEHOLDER).
_PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")
# Marks a sent answer as the practice's own (in the bot event's metadata, for reviewers).
ANSWERED_BY_PRACTICE = {"answered_by": "practice"}


class NoDeflectionError(ValueError):
    """practice.yml answers a topic that domain.yml has no deflection for."""


class PracticeAnswer(Protocol):
    # Read-only members, so that settings.PracticeAnswer (sources: a list of section ids) fits.
    @property
    def web(self) -> str: ...
    @property
    def sms(self) -> str: ...
    @property
    def sources(self) -> Sequence[str]: ...


def response_name(topic: str) -> str:
    return RESPONSE_PREFIX + topic


def answer_problems(
    answers: Mapping[str, PracticeAnswer], practice_variables: Mapping[str, str], citable: Iterable[str]
) -> List[str]:
    """What stops each answer being sent as written, as `addendum.answers.<topic>.<field>: ...`."""
    fillable = {**practice_variables, **{name: "x" * length for name, length in SEND_TIME_VARIABLES.items()}}
    known_sections = set(citable)
    problems: List[str] = []
    for topic, answer in answers.items():
        field = f"addendum.answers.{topic}"
        for section in answer.sources:
            if section not in known_sections:
                problems.append(
                    f"{field}.sources: cites {section!r}, which is neither a section of the policy page "
                    "(docs/source/SECTIONS.md) nor of the addendum"
                )
        for kind, text in (("web", answer.web), ("sms", answer.sms)):
            unknown = sorted(set(_PLACEHOLDER.findall(text)) - set(fillable))
            for name in unknown:
                problems.append(
                    f"{field}.{kind}: names {{{name}}}, which the assistant cannot fill in "
                    f"(it can fill {', '.join('{' + known + '}' for known in sorted(fillable))})"
                )
            outside_placeholders = _PLACEHOLDER.sub("", text)
            if "{" in outside_placeholders or "}" in outside_placeholders:
                # Rasa's interpolator fails the whole turn on a lone brace.
                problems.append(
                    f"{field}.{kind}: has a {{ or }} that is not part of a placeholder like {{practice_phone}}"
                )
            grade = flesch_kincaid_grade(text)
            if grade > GRADE_LIMIT:
                problems.append(
                    f"{field}.{kind}: reads at grade {grade:.1f}, above grade {GRADE_LIMIT:.0f}: "
                    "use shorter sentences and shorter words"
                )
        if len(sentences(answer.web)) > WEB_SENTENCE_LIMIT:
            problems.append(
                f"{field}.web: {len(sentences(answer.web))} sentences, more than {WEB_SENTENCE_LIMIT}: "
                "keep the web answer short"
            )
        length = len(_PLACEHOLDER.sub(lambda match: fillable.get(match.group(1), match.group(0)), answer.sms))
        if length > SMS_LIMIT:
            problems.append(
                f"{field}.sms: {length} characters with the practice's details filled in, over the SMS "
                f"limit of {SMS_LIMIT}: shorten it"
            )
    return problems


def with_practice_answers(
    responses: Mapping[str, List[Dict[str, Any]]], answers: Mapping[str, PracticeAnswer]
) -> Dict[str, List[Dict[str, Any]]]:
    """The domain's responses, each answered topic's deflection replaced by the practice's answer.

    Each variation of the deflection keeps its channel and metadata (the web answer's `label`
    and `ask` name the topic's button when the assistant asks which topic was meant) and takes
    the practice's text for its channel and the practice's sources. The domain is not changed.
    """
    answered = dict(responses)
    for topic, answer in answers.items():
        name = response_name(topic)
        if name not in responses:
            raise NoDeflectionError(f"practice.yml answers {topic!r}, but domain.yml has no response {name}")
        variations = []
        for variation in responses[name]:
            replaced = copy.deepcopy(variation)
            replaced["text"] = answer.sms if variation.get("channel") == "sms" else answer.web
            replaced["metadata"] = {
                **(variation.get("metadata") or {}),
                "source": list(answer.sources),
                **ANSWERED_BY_PRACTICE,
            }
            variations.append(replaced)
        answered[name] = variations
    return answered
