"""The risk screen: text in, finding out. Pure, fast, and independent of Rasa.

A message is screened in three steps:

1. Normalise (confidant.risk.normalize): lower case, emoji, "k.i.l.l", "k1ll", "dieeee",
   "suicdal"; every character keeps a link to the original text for evidence offsets.
2. Match (spaCy Matcher / PhraseMatcher built once from data/risk/*.yml): risk TRIGGERS
   ("kill myself", "hits me", "going to stab him") and CONTEXT patterns (idioms, questions
   about the rules, negations, past-time markers, current-time markers).
3. Decide each trigger's level from its context (confidant.risk.context), then let the most
   serious level in the message win (confidant.risk.findings). When in doubt the trigger
   stays "current": a missed crisis costs far more than a false alarm.

Levels, most serious first: current > third_party > past > informational > negated > idiom.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Iterable

import spacy
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from confidant.file_state import FileState, files_state
from confidant.risk.context import CONTEXT_KINDS, SAID_OF_NOBODY, Candidate, Context, TriggerLevels
from confidant.risk.findings import CATEGORY_PRIORITY, LEVEL_RANK, NO_RISK, Evidence, RiskFinding
from confidant.risk.normalize import NormalizedText, Normalizer
from confidant.risk.pattern_types import Pattern, RiskData, Trigger
from confidant.risk.patterns import check_lemmas, load_directory
from confidant.risk.spacy_pipeline import build_nlp, fix_lemmas, lemma_values
from confidant.risk.writer import THREAT_TO_WRITER_PATTERNS
from confidant.vocabulary import HARM_OTHERS, SELF_HARM

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "risk"
# Self-harm signs that, beside violence done to the writer ("mom burns me with her cigarette"),
# belong to the violence, not to self-harm: the marks it left ("marks on my arm") and the wish
# that it stop ("i just want it to stop").
SIGNS_OF_THE_VIOLENCE = frozenset({"self_harm.cuts_on_my_body", "self_harm.wish_it_stopped"})
VIOLENCE_TO_WRITER_TRIGGERS = frozenset({"abuse.violence_to_me", "abuse.being_abused", "abuse.sexual"})
# A weapon at hand beside the writer's own wish to hurt someone ("i want to hurt this kid ... i had
# a knife in my backpack today") is the means for that, not for self-harm.
MEANS_AT_HAND = frozenset({"self_harm.means_at_hand"})
# One screen per patterns folder and process (`RiskScreen.shared`), with its files' state.
_SHARED: dict[Path, tuple[FileState, "RiskScreen"]] = {}
_SHARED_LOCK = threading.Lock()


def _data_directory(path: str | Path) -> Path:
    directory = Path(path)
    if not directory.is_absolute() and not directory.exists() and str(path) == "data/risk":
        return DEFAULT_DATA_DIR
    return directory


class RiskScreen:
    """Screens messages for current risk. Build once at start-up; `screen` is thread-safe."""

    def __init__(self, data: RiskData, nlp: spacy.language.Language | None = None) -> None:
        self.data = data
        self._nlp = nlp or build_nlp()
        self._normalizer = Normalizer(data.spelling, data.vocabulary)
        self._lock = threading.Lock()  # spaCy's shared vocabulary is written during matching
        self._lemma_fixes = dict(data.spelling.lemmas)
        check_lemmas(data, self._lemma_of)
        self._lemma_vocab = frozenset(lemma_values(data))
        self._triggers: dict[str, Trigger] = {t.id: t for t in data.triggers}
        self._trigger_matcher, self._trigger_phrases = self._build_matchers(data.triggers)
        self._context_matcher, self._context_phrases = self._build_matchers(data.context_patterns())
        self._disclosure_matcher, self._disclosure_phrases = self._build_matchers(data.informational.disclosure)
        self._safety_matcher, self._safety_phrases = self._build_matchers(data.negation.safety_statements)
        self._message_matcher, self._message_phrases = self._build_matchers(data.subjects.message_patterns())
        self._figure_matcher, self._figure_phrases = self._build_matchers(
            [idiom for idiom in data.idioms if idiom.id in data.classifier_outweighing_idioms]
        )
        self._meant_matcher, self._meant_phrases = self._build_matchers(data.figure_undone_by)
        self._levels = TriggerLevels(data)

    @classmethod
    def from_directory(cls, path: str | Path = "data/risk") -> "RiskScreen":
        """Load, validate and compile the data files; raises PatternError naming file + pattern."""
        return cls(load_directory(_data_directory(path)))

    @classmethod
    def shared(cls, path: str | Path = "data/risk") -> "RiskScreen":
        """The process's screen for a folder of patterns, built on first use.

        The pipeline's risk component and the channels' crisis replies screen with the same
        patterns; building a screen takes about a second of the server's start-up, so they
        share one. A folder whose files changed since gets a new screen.
        """
        directory = _data_directory(path).resolve()
        state = files_state([directory])
        with _SHARED_LOCK:
            known = _SHARED.get(directory)
            if known is None or known[0] != state:
                known = _SHARED[directory] = (state, cls.from_directory(directory))
        return known[1]

    # ------------------------------------------------------------------ building
    def _lemma_of(self, word: str) -> str:
        doc = self._nlp(word)
        if len(doc) != 1:
            return word  # a multi-token value is checked by spaCy's own pattern validation
        return self._lemma_fixes.get(doc[0].lower_, doc[0].lemma_)

    def _build_matchers(self, patterns: Iterable[Pattern]) -> tuple[Matcher, PhraseMatcher]:
        matcher = Matcher(self._nlp.vocab, validate=True)
        phrases = PhraseMatcher(self._nlp.vocab, attr="NORM")
        for pattern in patterns:
            if pattern.token_patterns:
                matcher.add(pattern.id, [list(tokens) for tokens in pattern.token_patterns])
            if pattern.phrases:
                docs = [
                    self._nlp.make_doc(self._normalizer(phrase, terminate=False).text) for phrase in pattern.phrases
                ]
                phrases.add(pattern.id, docs)
        return matcher, phrases

    # ------------------------------------------------------------------ screening
    def screen(self, text: str) -> RiskFinding:
        """Screen one message; the most serious level found wins."""
        candidates, normalized, doc, safety = self._candidates(text)
        if doc is None:  # nothing to screen
            return NO_RISK
        if not candidates:
            figure = self._figure_of_speech(text, normalized, doc)
            if safety or figure:
                return RiskFinding(None, "none", (), safety_statement=safety, figure_of_speech=figure)
            return NO_RISK
        best_rank = max(LEVEL_RANK[c.level] for c in candidates)
        winners = [c for c in candidates if LEVEL_RANK[c.level] == best_rank]
        winners.sort(key=lambda c: (CATEGORY_PRIORITY[c.trigger.category], c.start))
        if _signs_of_the_violence_only(winners):
            winners = [c for c in winners if c.trigger.id not in SIGNS_OF_THE_VIOLENCE]
        winners = _without_means_for_the_writers_threat(doc, winners, self.data.subjects.writer_as_subject)
        category = winners[0].trigger.category
        level = winners[0].level
        evidence = []
        seen = set()
        for candidate in sorted(winners, key=lambda c: (c.start, -c.end)):
            item = self._evidence(text, normalized, doc, candidate)
            key = (item.start, item.end, item.pattern)
            if key not in seen:
                seen.add(key)
                evidence.append(item)
        return RiskFinding(
            category=category,  # type: ignore[arg-type]
            level=level,  # type: ignore[arg-type]
            evidence=tuple(evidence),
            safety_statement=safety,
            said_of_nobody=level == "current" and all(c.reason == SAID_OF_NOBODY for c in winners),
        )

    def explain(self, text: str) -> list[dict[str, Any]]:
        """Every trigger found, its level and why: for evaluation reports and reviewers."""
        candidates, normalized, doc, _safety = self._candidates(text)
        out: list[dict[str, Any]] = []
        if doc is None:  # nothing to screen, so no candidates either
            return out
        for candidate in sorted(candidates, key=lambda c: c.start):
            item = self._evidence(text, normalized, doc, candidate)
            out.append(
                {
                    **item.as_dict(),
                    "category": candidate.trigger.category,
                    "level": candidate.level,
                    "reason": candidate.reason,
                }
            )
        return out

    def normalize(self, text: str) -> str:
        """The normalised text the matchers see (for debugging patterns)."""
        return self._normalizer(text, terminate=False).text

    def _evidence(self, text: str, normalized: NormalizedText, doc: Doc, candidate: Candidate) -> Evidence:
        span = doc[candidate.start : candidate.end]
        start, end = normalized.to_original(span.start_char, span.end_char)
        return Evidence(text=text[start:end], start=start, end=end, pattern=candidate.trigger.id)

    def _candidates(self, text: str) -> tuple[list[Candidate], NormalizedText, Doc | None, str | None]:
        """The triggers with their levels, the normalised text, its doc, and any safety statement."""
        normalized = self._normalizer(text or "")
        if not normalized.text.strip():
            return [], normalized, None, None
        with self._lock:
            doc = self._nlp(normalized.text)
            fix_lemmas(doc, self._lemma_fixes, self._lemma_vocab)
            safety = self._safety_statement(text, normalized, doc)
            trigger_matches = list(self._trigger_matcher(doc)) + list(self._trigger_phrases(doc))
            if not trigger_matches:
                return [], normalized, doc, safety
            strings = doc.vocab.strings
            candidates = _without_self_harm_inside_a_threat(
                self._dedupe(doc, [(strings[m], s, e) for m, s, e in trigger_matches])
            )
            context_matches = list(self._context_phrases(doc))
            for span in self._context_windows(doc, candidates):
                context_matches += [(m, s + span.start, e + span.start) for m, s, e in self._context_matcher(span)]
            context_matches += list(self._disclosure_matcher(doc)) + list(self._disclosure_phrases(doc))
            context_matches += list(self._message_matcher(doc)) + list(self._message_phrases(doc))
        context = Context([], [], [], [], [], [], [])
        for match_id, start, end in context_matches:
            pattern_id = strings[match_id]
            getattr(context, CONTEXT_KINDS[pattern_id.split(".", 1)[0]]).append((start, end, pattern_id))
        # A wish to follow someone counts only where the message tells of a death (a suicide that
        # ended a life is one).
        death_told = bool(context.deaths or context.fatal)
        candidates = [c for c in candidates if not c.trigger.after_a_death or death_told]
        for candidate in candidates:
            candidate.level, candidate.reason = self._levels.level(doc, candidate, context)
        self._levels.share_demotions(candidates)
        return candidates, normalized, doc, safety

    def _safety_statement(self, text: str, normalized: NormalizedText, doc: Doc) -> str | None:
        """The first place the writer says they are safe, in their own words, if any."""
        return _first_match(text, normalized, doc, self._safety_matcher, self._safety_phrases)

    def _figure_of_speech(self, text: str, normalized: NormalizedText, doc: Doc) -> str | None:
        """The first plain figure of speech ("dying to see it"), asked only where no trigger matched;
        none where the writer says they mean it or have a plan ("I'd rather die than go back. I have a plan")."""
        with self._lock:
            if _first_match(text, normalized, doc, self._meant_matcher, self._meant_phrases):
                return None
            # "I'd rather die than go back to him, I've got the pills": a figure its own words undo
            # outweighs nothing (idioms.yml, `undone_by`).
            strings = doc.vocab.strings
            for match_id, start, end in sorted(
                list(self._figure_matcher(doc)) + list(self._figure_phrases(doc)), key=lambda m: m[1]
            ):
                if not self._levels.idiom_undone(doc, doc[start].sent, strings[match_id], (start, end)):
                    span = doc[start:end]
                    first, last = normalized.to_original(span.start_char, span.end_char)
                    return text[first:last]
            return None

    def _context_windows(self, doc: Doc, candidates: list[Candidate]) -> list[Span]:
        """Where context can matter: each trigger's sentence and some words either side."""
        windows: list[tuple[int, int]] = []
        for candidate in sorted(candidates, key=lambda c: c.start):
            sentence = doc[candidate.start].sent
            low = max(0, candidate.start - 100, min(sentence.start, candidate.start - 25))
            high = min(len(doc), candidate.end + 100, max(sentence.end, candidate.end + 25))
            if windows and low <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(windows[-1][1], high))
            else:
                windows.append((low, high))
        return [doc[low:high] for low, high in windows]

    def _dedupe(self, doc: Doc, matches: list[tuple[str, int, int]]) -> list[Candidate]:
        """Per trigger pattern, keep the longest non-overlapping spans."""
        by_id: dict[str, list[Span]] = {}
        for pattern_id, start, end in matches:
            by_id.setdefault(pattern_id, []).append(doc[start:end])
        candidates = []
        for pattern_id, spans in by_id.items():
            for span in filter_spans(spans):
                candidates.append(Candidate(self._triggers[pattern_id], span.start, span.end))
        return candidates


def _first_match(
    text: str, normalized: NormalizedText, doc: Doc, matcher: Matcher, phrases: PhraseMatcher
) -> str | None:
    """The original text of the first span either matcher finds, if any."""
    matches = sorted(list(matcher(doc)) + list(phrases(doc)), key=lambda m: m[1])
    if not matches:
        return None
    span = doc[matches[0][1] : matches[0][2]]
    start, end = normalized.to_original(span.start_char, span.end_char)
    return text[start:end]


def _threats_against_others(candidates: list[Candidate]) -> list[Candidate]:
    return [
        c for c in candidates if c.trigger.category == HARM_OTHERS and c.trigger.id not in THREAT_TO_WRITER_PATTERNS
    ]


def _without_self_harm_inside_a_threat(candidates: list[Candidate]) -> list[Candidate]:
    """Self-harm matches inside a threat against someone else, dropped before any level is read.

    "thoughts about killing" inside "thoughts about killing my baby" is about the baby; "unalive"
    inside "unalive my little brother" is about the brother (and his "jk" is read on the threat).
    """
    threats = _threats_against_others(candidates)
    if not threats:
        return candidates

    def inside(candidate: Candidate) -> bool:
        return candidate.trigger.category == SELF_HARM and any(
            candidate.start < t.end and t.start < candidate.end and t.end > candidate.end for t in threats
        )

    return [c for c in candidates if not inside(c)]


def _without_means_for_the_writers_threat(
    doc: Doc, winners: list[Candidate], writer_as_subject: frozenset[str]
) -> list[Candidate]:
    """A weapon at hand beside the writer's own threat against someone, not read as self-harm.

    "i want to hurt this kid ... i had a knife in my backpack": the knife is for the kid. Only the
    writer's own threat (a word of `writer_as_subject` before it in its sentence, third_party.yml),
    and only where something remains.
    """
    threats = _threats_against_others(winners)
    own = [t for t in threats if any(w.lower_ in writer_as_subject for w in doc[doc[t.start].sent.start : t.start])]
    if not own:
        return winners
    kept = [c for c in winners if c.trigger.id not in MEANS_AT_HAND]
    return kept if kept else winners


def _signs_of_the_violence_only(winners: list[Candidate]) -> bool:
    """Is every self-harm sign one the violence done to the writer explains (so abuse, not self-harm)?"""
    ids = {c.trigger.id for c in winners}
    self_harm = {i for i in ids if i.startswith("self_harm.")}
    return bool(self_harm) and self_harm <= SIGNS_OF_THE_VIOLENCE and bool(ids & VIOLENCE_TO_WRITER_TRIGGERS)
