"""The validated form of the risk screen's data files: what the loader produces and the screen reads.

Frozen dataclasses, so nothing can change a pattern after it was checked at start-up; the
error type names the file and the pattern, because the files are reviewed by people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from confidant.risk.normalize import SpellingData
from confidant.vocabulary import FALLBACK_CATEGORY

PERSONS = ("first", "third", "detect", "victim_first", "any")
STRENGTHS = ("strong", "weak")


class PatternError(ValueError):
    """A data file under data/risk is malformed; the message names the file and the pattern."""

    def __init__(self, file: str, pattern: str | None, problem: str) -> None:
        where = f"{file}" + (f", pattern {pattern!r}" if pattern else "")
        super().__init__(f"risk data error in {where}: {problem}")
        self.file = file
        self.pattern = pattern
        self.problem = problem


@dataclass(frozen=True)
class Pattern:
    """One named pattern: spaCy token patterns and/or literal phrases."""

    id: str
    source: str
    token_patterns: tuple[tuple[dict[str, Any], ...], ...] = ()
    phrases: tuple[str, ...] = ()
    note: str = ""

    def lemma_values(self) -> list[str]:
        """Every LEMMA value its token patterns name ({LEMMA: die} or {LEMMA: {IN: [...]}})."""
        values: list[str] = []
        for tokens in self.token_patterns:
            for token in tokens:
                spec = token.get("LEMMA")
                if isinstance(spec, str):
                    values.append(spec)
                elif isinstance(spec, dict):
                    values.extend(v for v in spec.get("IN", []) if isinstance(v, str))
        return values


@dataclass(frozen=True)
class Trigger(Pattern):
    """A pattern that signals a risk topic; context decides its level."""

    category: str = FALLBACK_CATEGORY
    person: str = "detect"  # first | third | detect | victim_first | any
    strength: str = "strong"  # weak triggers are demoted to idiom by a joke marker ("lol")
    topic: bool = False  # a bare mention of the topic ("self harm"): a question about it is informational
    after_a_death: bool = False  # counts only where the message tells of a death (third_party.yml, deaths)


@dataclass(frozen=True)
class NegationRules:
    cues: frozenset[str]
    fillers: frozenset[str]
    max_fillers: int
    doubters: frozenset[str]
    doubt_words: frozenset[str]
    cancel: tuple[Pattern, ...]
    cancel_window: int
    # The writer saying plainly that they are safe ("I'm not in danger", "nobody got hurt"):
    # found anywhere in a message, whatever the triggers (confidant.risk.findings, safety_outweighs_classifier).
    safety_statements: tuple[Pattern, ...] = ()
    # The writer taking back their own threat against someone else ("which I obviously don't mean").
    disclaimers: tuple[Pattern, ...] = ()
    disclaimer_window: int = 25
    # A trigger that starts with stopping ("stop cutting"): a cue before it is no negation ("can't stop cutting").
    stopping: frozenset[str] = frozenset()
    # A screening question someone asked the writer, answered no ("my GP asked whether I'd had
    # thoughts of harming myself. I said no"): `screening_askers` then `screening_links` within
    # `screening_reach` words before the trigger, a `denials` pattern within `denial_reach` words
    # after it, and no word of `denial_undone_by` from the trigger to `denial_reach` words past the
    # denial ("I lied and said no", "I said no because I was scared", "... but").
    screening_askers: frozenset[str] = frozenset()
    screening_links: frozenset[str] = frozenset()
    screening_reach: int = 10
    denials: tuple[Pattern, ...] = ()
    denial_reach: int = 8
    denial_undone_by: frozenset[str] = frozenset()
    # Words right before a `denial_undone_by` word that make it confirm the denial: "and that's true".
    denial_confirmed_after: frozenset[str] = frozenset()
    # A screening item answered no before the trigger: "i said no to the hurting others question".
    # A `screening_no` word within `screening_reach` words before the trigger, followed by one of
    # `screening_no_links`, and a word of `screening_items` within 3 words after the trigger.
    screening_no: frozenset[str] = frozenset()
    screening_no_links: frozenset[str] = frozenset()
    screening_items: frozenset[str] = frozenset()
    # "I've never wanted to die this badly": a degree right after a trigger negated by "never"
    # says how much, not that it is not so. A word of `never_degrees` within `never_degree_reach`
    # words after the trigger, right after one of `never_degree_markers` ("this", "so"), or alone
    # where it is "more".
    never_degrees: frozenset[str] = frozenset()
    never_degree_markers: frozenset[str] = frozenset()
    never_degree_reach: int = 3


@dataclass(frozen=True)
class AskedAboutRules:
    """A trigger that is ordinary where the writer asks about it with a sign nearby (idioms.yml).

    An extra dose taken by mistake is no overdose in the sense of the risk; a spank a parent asks
    about ("I spanked him once, over his jeans") is no abuse told. `markers` are the signs, within
    `window` words of the trigger; a word of `never_with` keeps the trigger risk; `acts`, where
    given, are the only verbs of the trigger the rule covers.
    """

    markers: tuple[Pattern, ...] = ()
    triggers: frozenset[str] = frozenset()
    window: int = 25
    never_with: frozenset[str] = frozenset()
    acts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EmotionalHurtRules:
    """Hurting someone's feelings, told without the word "feelings" (idioms.yml)."""

    markers: tuple[Pattern, ...] = ()
    triggers: frozenset[str] = frozenset()
    never_with: frozenset[str] = frozenset()
    # Words a few words before "hurt" that make it feared or avoided ("afraid of", "without").
    feared: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PettyOccasionRules:
    """A wish to die or a groan said over something petty (idioms.yml, `petty_occasion`).

    "my friend said 'just shoot me' when she saw the seating chart": one of `triggers`, with a
    word of `connectives` after it in its sentence and a word of `occasions` within `window`
    words after that connective. Who says it and which triggers count is the context's rule.
    """

    triggers: frozenset[str] = frozenset()
    own_triggers: frozenset[str] = frozenset()
    connectives: frozenset[str] = frozenset()
    occasions: frozenset[str] = frozenset()
    window: int = 6


@dataclass(frozen=True)
class InformationalRules:
    frames: tuple[Pattern, ...]
    max_gap: int
    breakers: frozenset[str]
    question_starters: frozenset[str]
    rule_words: frozenset[str]
    question_aux: frozenset[str]
    question_subjects: frozenset[str]
    disclosure: tuple[Pattern, ...]
    # Disclosure ids that count only from the question's own sentence on ("... because I do").
    disclosure_after_the_question: frozenset[str] = frozenset()
    # A frame inside someone's reported threat is no question: "my dad said if I tell anyone he'll
    # kill me". A word of `reported_by` within `reported_reach` words before the frame.
    reported_by: frozenset[str] = frozenset()
    reported_reach: int = 2


@dataclass(frozen=True)
class PastRules:
    past_markers: tuple[Pattern, ...]
    current_markers: tuple[Pattern, ...]  # in the trigger's sentence: "last night", "tonight"
    recurrence_markers: tuple[Pattern, ...]  # anywhere in the message: "again", "relapsed"
    past_forms: frozenset[str]
    present_forms: frozenset[str]
    window: int
    lookbehind: int


@dataclass(frozen=True)
class SubjectRules:
    first_person: frozenset[str]
    third_person: frozenset[str]
    breakers: frozenset[str]
    max_lookback: int
    # Words that make someone else's harm a story ("a podcast about a man who poisoned...").
    fiction: frozenset[str] = frozenset()
    # Phrases in which a word of `fiction` tells no story: "long story short", "game chat".
    fiction_not_in: frozenset[str] = frozenset()
    # The writer as the subject ("I", "im", "imma"), not as an object or owner ("me", "my").
    writer_as_subject: frozenset[str] = frozenset()
    # Words after a self-harm mark that name whose body it is on ("cuts on his arms"), and how
    # many tokens after the mark they may start.
    owner_prepositions: frozenset[str] = frozenset()
    owner_third: frozenset[str] = frozenset()
    owner_reach: int = 0
    # Verbs that put someone's words in quotation marks ("my friend said 'I want to die'").
    speech_verbs: frozenset[str] = frozenset()
    # Someone else's crisis already in professional care ("in a residential program", "safe on
    # the unit now"): not escalated, unless too recent, recurring, or told in the present.
    in_care: tuple[Pattern, ...] = ()
    in_care_too_recent: frozenset[str] = frozenset()
    # Someone else's quoted wish to die that the message laughs off ("it's a running joke",
    # "everyone laughed", "totally fine five minutes later"), unless it also takes it seriously.
    laughed_off: tuple[Pattern, ...] = ()
    taken_seriously: tuple[Pattern, ...] = ()
    deaths: tuple[Pattern, ...] = ()  # a death told anywhere in the message
    fatal: tuple[Pattern, ...] = ()  # a suicide that ended a life, around a self-harm trigger
    death_doubters: frozenset[str] = frozenset()  # "nearly", "tried to": someone alive after all
    # A subject named ("a documentary about abuse", "suicide rates") with no first-person word just
    # before it is said of nobody: current, but escalated only where another reading of the
    # message leans to risk too (confidant.risk.component).
    said_of_nobody_triggers: frozenset[str] = frozenset()
    subject_nouns: frozenset[str] = frozenset()
    verb_before_a_noun: frozenset[str] = frozenset()
    said_of_nobody_reach: int = 0
    # A threat quoted from a small child is play ("my 4 year old yells 'I'm gonna kill you!'"):
    # the words for one, and the ages that make "N year old" one.
    small_children: frozenset[str] = frozenset()
    small_child_ages: frozenset[str] = frozenset()

    def message_patterns(self) -> tuple[Pattern, ...]:
        """The patterns looked for in the whole message, not only near a trigger."""
        return (*self.in_care, *self.laughed_off, *self.taken_seriously, *self.deaths, *self.fatal)


@dataclass(frozen=True)
class RiskData:
    """Everything the screen needs, validated."""

    lexicon: Mapping[str, tuple[str, ...]]
    spelling: SpellingData
    triggers: tuple[Trigger, ...]
    idioms: tuple[Pattern, ...]
    humour: frozenset[str]
    negation: NegationRules
    informational: InformationalRules
    past: PastRules
    subjects: SubjectRules
    vocabulary: frozenset[str] = field(default_factory=frozenset)
    # Words right after a figure of speech that make it a blow after all ("hit me up against the wall").
    idiom_undone_by_next: frozenset[str] = frozenset()
    # Per figure of speech, words in the trigger's sentence that make it the real thing after all
    # ("my dad will kill me when he gets home, he has a belt"): idioms.yml, a benign entry's `undone_by`.
    idiom_undone_by: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Of those words, the ones that count in the next sentence too ("just shoot me. I have the gun here").
    idiom_undone_from_the_next_sentence: frozenset[str] = frozenset()
    # "I could strangle him lol": modals after "I" that let a joke marker demote a strong threat.
    joke_demotes_after_i: frozenset[str] = frozenset()
    accidental_dose: AskedAboutRules = field(default_factory=AskedAboutRules)
    mild_discipline: AskedAboutRules = field(default_factory=AskedAboutRules)
    emotional_hurt: EmotionalHurtRules = field(default_factory=EmotionalHurtRules)
    petty_occasion: PettyOccasionRules = field(default_factory=PettyOccasionRules)
    # Benign patterns that outweigh DIET's risk reading alone where no trigger matched (idioms.yml).
    classifier_outweighing_idioms: frozenset[str] = frozenset()
    # The writer saying they mean it or have a plan ("I'd rather die than go back. I have a plan"):
    # then no figure of speech outweighs DIET (idioms.yml, `figure_undone_by`).
    figure_undone_by: tuple[Pattern, ...] = ()
    # A threat whose condition is telling, reporting or leaving ("my dad will kill me if I tell
    # anyone"): never demoted by an overlapping figure of speech (idioms.yml, `threat_if_telling`).
    threat_if_telling: tuple[Pattern, ...] = ()

    def context_patterns(self) -> tuple[Pattern, ...]:
        """The patterns that qualify a trigger (idiom, cancel, disclaimer, frame, past ...).

        Listed once: the screen compiles them into one matcher, and `all_patterns` (read by the
        lemma check, the lemma table and the vocabulary) includes them.
        """
        return (
            *self.idioms,
            *self.threat_if_telling,
            *self.negation.cancel,
            *self.negation.disclaimers,
            *self.negation.denials,
            *self.accidental_dose.markers,
            *self.mild_discipline.markers,
            *self.emotional_hurt.markers,
            *self.informational.frames,
            *self.past.past_markers,
            *self.past.current_markers,
            *self.past.recurrence_markers,
        )

    def all_patterns(self) -> tuple[Pattern, ...]:
        """Every pattern of every kind: triggers, context, disclosures and safety statements."""
        return (
            *self.triggers,
            *self.context_patterns(),
            *self.informational.disclosure,
            *self.negation.safety_statements,
            *self.figure_undone_by,
            *self.subjects.message_patterns(),
        )
