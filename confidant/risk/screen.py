"""The risk screen: text in, finding out. Pure, fast, and independent of Rasa.

A message is screened in three steps:

1. Normalise (confidant.risk.normalize): lower case, emoji, "k.i.l.l", "k1ll", "dieeee",
   "suicdal"; every character keeps a link to the original text for evidence offsets.
2. Match (spaCy Matcher / PhraseMatcher built once from data/risk/*.yml): risk TRIGGERS
   ("kill myself", "hits me", "going to stab him") and CONTEXT patterns (idioms, questions
   about the rules, negations, past-time markers, current-time markers).
3. Decide each trigger's level from its context, then let the most serious level in the
   message win. When in doubt the trigger stays "current": a missed crisis costs far more
   than a false alarm.

Levels, most serious first: current > third_party > past > informational > negated > idiom.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Literal

import spacy
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from confidant.risk.normalize import NormalizedText, Normalizer
from confidant.risk.pattern_types import Pattern, RiskData, Trigger
from confidant.risk.patterns import check_lemmas, load_directory
from confidant.vocabulary import ABUSE, CATEGORIES, RiskCategory

RiskLevel = Literal["current", "third_party", "informational", "negated", "past", "idiom", "none"]

LEVEL_RANK: dict[str, int] = {
    "none": 0,
    "idiom": 1,
    "negated": 2,
    "informational": 3,
    "past": 4,
    "third_party": 5,
    "current": 6,
}
# When several categories are current at once, the finding names the first of these (all the
# evidence is kept): a threat to the writer's own life is the most time-critical.
CATEGORY_PRIORITY: dict[str, int] = {category: rank for rank, category in enumerate(CATEGORIES)}
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "risk"
_QUESTION_MARK = "?"


@dataclass(frozen=True)
class Evidence:
    """One matched span, with offsets into the ORIGINAL text."""

    text: str
    start: int
    end: int
    pattern: str

    def as_dict(self) -> dict:
        """JSON-serialisable form, for the tracker and the review tool."""
        return {"text": self.text, "start": self.start, "end": self.end, "pattern": self.pattern}


@dataclass(frozen=True)
class RiskFinding:
    """What the screen concluded about one message."""

    category: RiskCategory | None
    level: RiskLevel
    evidence: tuple[Evidence, ...]

    @property
    def is_current(self) -> bool:
        """True when the assistant must give crisis resources and escalate to a human."""
        return self.level == "current"

    def as_dict(self) -> dict:
        """JSON-serialisable form."""
        return {
            "category": self.category,
            "level": self.level,
            "is_current": self.is_current,
            "evidence": [e.as_dict() for e in self.evidence],
        }


NO_RISK = RiskFinding(category=None, level="none", evidence=())


@dataclass
class _Candidate:
    trigger: Trigger
    start: int  # token indices into the doc
    end: int
    level: str = "current"
    reason: str = ""


@dataclass
class _Context:
    """Context pattern matches of one doc, by kind, as (start, end, id) token spans."""

    idioms: list[tuple[int, int, str]]
    cancels: list[tuple[int, int, str]]
    frames: list[tuple[int, int, str]]
    disclosures: list[tuple[int, int, str]]
    past: list[tuple[int, int, str]]
    now: list[tuple[int, int, str]]
    recurrence: list[tuple[int, int, str]]


_CONTEXT_KINDS = {
    "idiom": "idioms",
    "negation": "cancels",
    "info": "frames",
    "disclose": "disclosures",
    "past": "past",
    "now": "now",
    "again": "recurrence",
}


def _suffix_lemmas(word: str) -> list[str]:
    """Regular English inflections the lookup table lacks: texted, texting, bullies, grabbed."""
    out = []
    if word.endswith("ied") or word.endswith("ies"):
        out.append(word[:-3] + "y")
    if word.endswith("ed"):
        out += [word[:-2], word[:-1]]
        if len(word) > 4 and word[-3] == word[-4]:
            out.append(word[:-3])
    if word.endswith("ing"):
        out += [word[:-3], word[:-3] + "e"]
        if len(word) > 5 and word[-4] == word[-5]:
            out.append(word[:-4])
    if word.endswith("es"):
        out.append(word[:-2])
    if word.endswith("s"):
        out.append(word[:-1])
    return out


def _lemma_values(data: RiskData) -> set[str]:
    """Every LEMMA value the patterns use."""
    values: set[str] = set()
    patterns: list[Pattern] = [
        *data.triggers,
        *data.idioms,
        *data.negation.cancel,
        *data.informational.frames,
        *data.informational.disclosure,
        *data.past.past_markers,
        *data.past.current_markers,
        *data.past.recurrence_markers,
    ]
    for pattern in patterns:
        for tokens in pattern.token_patterns:
            for token in tokens:
                spec = token.get("LEMMA")
                if isinstance(spec, str):
                    values.add(spec)
                elif isinstance(spec, dict):
                    values.update(v for v in spec.get("IN", []) if isinstance(v, str))
    return values


def build_nlp() -> spacy.language.Language:
    """A blank English pipeline with the lookup lemmatizer and a rule-based sentencizer.

    No statistical model is needed (or available offline); matching is on LOWER/NORM/LEMMA.
    """
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    punct = list(spacy.pipeline.Sentencizer.default_punct_chars) + ["\n", "\n\n", "\n\n\n", ";"]
    nlp.add_pipe("sentencizer", config={"punct_chars": punct})
    nlp.initialize()
    return nlp


class RiskScreen:
    """Screens messages for current risk. Build once at start-up; `screen` is thread-safe."""

    def __init__(self, data: RiskData, nlp: spacy.language.Language | None = None) -> None:
        self.data = data
        self._nlp = nlp or build_nlp()
        self._normalizer = Normalizer(data.spelling, data.vocabulary)
        self._lock = threading.Lock()  # spaCy's shared vocabulary is written during matching
        self._lemma_fixes = dict(data.spelling.lemmas)
        check_lemmas(data, self._lemma_of)
        self._lemma_vocab = frozenset(_lemma_values(data))
        self._triggers: dict[str, Trigger] = {t.id: t for t in data.triggers}
        self._trigger_matcher, self._trigger_phrases = self._build_matchers(data.triggers)
        context: list[Pattern] = [
            *data.idioms,
            *data.negation.cancel,
            *data.informational.frames,
            *data.past.past_markers,
            *data.past.current_markers,
            *data.past.recurrence_markers,
        ]
        self._context_matcher, self._context_phrases = self._build_matchers(context)
        self._disclosure_matcher, self._disclosure_phrases = self._build_matchers(data.informational.disclosure)

        subjects = data.subjects
        self._first = subjects.first_person
        self._third = subjects.third_person

    @classmethod
    def from_directory(cls, path: str | Path = "data/risk") -> "RiskScreen":
        """Load, validate and compile the data files; raises PatternError naming file + pattern."""
        directory = Path(path)
        if not directory.is_absolute() and not directory.exists() and str(path) == "data/risk":
            directory = DEFAULT_DATA_DIR
        return cls(load_directory(directory))

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

    def _fix_lemmas(self, doc: Doc) -> None:
        """Repair the lookup table's gaps: "dying" -> "die" (data), "texted" -> "text" (suffix rule).

        The suffix rule only yields a lemma that some pattern uses, so it cannot invent matches
        elsewhere.
        """
        fixes = self._lemma_fixes
        vocab = self._lemma_vocab
        for token in doc:
            word = token.lower_
            fixed = fixes.get(word)
            if fixed is not None:
                token.lemma_ = fixed
            elif token.lemma_ == word and word not in vocab and len(word) > 4 and token.is_alpha:
                for candidate in _suffix_lemmas(word):
                    if candidate in vocab:
                        token.lemma_ = candidate
                        break

    # ------------------------------------------------------------------ screening
    def screen(self, text: str) -> RiskFinding:
        """Screen one message; the most serious level found wins."""
        candidates, normalized, doc = self._candidates(text)
        if not candidates or doc is None:  # no doc: nothing to screen, so no candidates either
            return NO_RISK
        best_rank = max(LEVEL_RANK[c.level] for c in candidates)
        winners = [c for c in candidates if LEVEL_RANK[c.level] == best_rank]
        winners.sort(key=lambda c: (CATEGORY_PRIORITY[c.trigger.category], c.start))
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
        return RiskFinding(category=category, level=level, evidence=tuple(evidence))  # type: ignore[arg-type]

    def explain(self, text: str) -> list[dict[str, Any]]:
        """Every trigger found, its level and why: for evaluation reports and reviewers."""
        candidates, normalized, doc = self._candidates(text)
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

    def _evidence(self, text: str, normalized: NormalizedText, doc: Doc, candidate: _Candidate) -> Evidence:
        span = doc[candidate.start : candidate.end]
        start, end = normalized.to_original(span.start_char, span.end_char)
        return Evidence(text=text[start:end], start=start, end=end, pattern=candidate.trigger.id)

    def _candidates(self, text: str) -> tuple[list[_Candidate], NormalizedText, Doc | None]:
        normalized = self._normalizer(text or "")
        if not normalized.text.strip():
            return [], normalized, None
        with self._lock:
            doc = self._nlp(normalized.text)
            self._fix_lemmas(doc)
            trigger_matches = list(self._trigger_matcher(doc)) + list(self._trigger_phrases(doc))
            if not trigger_matches:
                return [], normalized, doc
            strings = doc.vocab.strings
            candidates = self._dedupe(doc, [(strings[m], s, e) for m, s, e in trigger_matches])
            context_matches = list(self._context_phrases(doc))
            for span in self._context_windows(doc, candidates):
                context_matches += [(m, s + span.start, e + span.start) for m, s, e in self._context_matcher(span)]
            context_matches += list(self._disclosure_matcher(doc)) + list(self._disclosure_phrases(doc))
        context = _Context([], [], [], [], [], [], [])
        for match_id, start, end in context_matches:
            pattern_id = strings[match_id]
            getattr(context, _CONTEXT_KINDS[pattern_id.split(".", 1)[0]]).append((start, end, pattern_id))
        for candidate in candidates:
            candidate.level, candidate.reason = self._level(doc, candidate, context)
        return candidates, normalized, doc

    def _context_windows(self, doc: Doc, candidates: list[_Candidate]) -> list[Span]:
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

    def _dedupe(self, doc: Doc, matches: list[tuple[str, int, int]]) -> list[_Candidate]:
        """Per trigger pattern, keep the longest non-overlapping spans."""
        by_id: dict[str, list[Span]] = {}
        for pattern_id, start, end in matches:
            by_id.setdefault(pattern_id, []).append(doc[start:end])
        candidates = []
        for pattern_id, spans in by_id.items():
            for span in filter_spans(spans):
                candidates.append(_Candidate(self._triggers[pattern_id], span.start, span.end))
        return candidates

    # ------------------------------------------------------------------ levels
    def _level(self, doc: Doc, candidate: _Candidate, context: _Context) -> tuple[str, str]:
        """The level of one trigger in its context, with the reason (pattern id or rule)."""
        sentence = doc[candidate.start].sent
        trigger = candidate.trigger

        for start, end, pattern_id in context.idioms:
            if start < candidate.end and candidate.start < end:
                return "idiom", pattern_id
        if trigger.strength == "weak":
            joke = self._joke_marker(doc, sentence)
            if joke:
                return "idiom", f"weak trigger with joke marker {joke!r}"

        info = self._informational(doc, candidate, sentence, context)
        if info:
            return "informational", info
        if context.disclosures and self._informational(doc, candidate, sentence, context, ignore_disclosure=True):
            # "what happens if someone says they want to die? asking because I do": the
            # question was about the writer all along.
            return "current", f"disclosure after a question ({context.disclosures[0][2]})"
        negation = self._negated(doc, candidate, sentence, context)
        if negation:
            return "negated", negation
        past = self._past(doc, candidate, sentence, context)
        if past:
            return "past", past

        person = trigger.person
        if person == "detect":
            person = self._subject(doc, candidate, sentence)
        if person == "third" and trigger.category != ABUSE:
            story = self._fiction_before(doc, candidate, sentence)
            if story:
                return "idiom", f"someone else in a story ({story!r})"
            return "third_party", "about someone else"
        return "current", "no mitigating context"

    def _fiction_before(self, doc: Doc, candidate: _Candidate, sentence: Span) -> str | None:
        """A film, song, book or game named before someone else's harm in the same sentence."""
        fiction = self.data.subjects.fiction
        for token in doc[sentence.start : candidate.start]:
            if token.lower_ in fiction:
                return token.text
        return None

    def _joke_marker(self, doc: Doc, sentence: Span) -> str | None:
        humour = self.data.humour
        cues = self.data.negation.cues
        for token in sentence:
            if token.lower_ in humour:
                before = doc[max(sentence.start, token.i - 2) : token.i]
                if not any(t.lower_ in cues or t.norm_ in cues for t in before):  # "not joking"
                    return token.text
        return None

    def _subject(self, doc: Doc, candidate: _Candidate, sentence: Span) -> str:
        """Who the trigger is about: the nearest person word before it in its sentence."""
        rules = self.data.subjects
        index = candidate.start - 1
        steps = 0
        while index >= sentence.start and steps < rules.max_lookback:
            word = doc[index].lower_
            if word in rules.breakers:
                break
            if word in self._first:
                return "first"
            if word in self._third:
                return "third"
            index -= 1
            steps += 1
        return "first"  # nobody else named: it is about the writer (err towards escalation)

    def _first_person_near(self, doc: Doc, start: int, sentence: Span, distance: int) -> bool:
        return any(t.lower_ in self._first for t in doc[max(sentence.start, start - distance) : start])

    def _informational(
        self, doc: Doc, candidate: _Candidate, sentence: Span, context: _Context, ignore_disclosure: bool = False
    ) -> str | None:
        rules = self.data.informational
        if context.disclosures and not ignore_disclosure:
            return None  # "... because I do want to die": a disclosure wins over the question
        reason = None
        frame_spans: list[tuple[int, int]] = []
        question_like = None
        for start, end, pattern_id in context.frames:
            if start < sentence.start or end > candidate.end or start >= candidate.start:
                continue
            if question_like is None:
                question_like = self._is_question(sentence, strict=True)
            if not question_like:
                continue  # "if I tell anyone I want to die they'll lock me up" is a disclosure
            gap = doc[min(end, candidate.start) : candidate.start]
            if len(gap) > rules.max_gap or any(t.lower_ in rules.breakers for t in gap):
                continue
            reason = pattern_id
            frame_spans.append((start, end))
        if reason is None and candidate.trigger.topic and self._is_question(sentence):
            if not self._first_person_near(doc, candidate.start, sentence, 3):
                reason = "question about the topic"
        if reason is None:
            return None
        if candidate.trigger.category == ABUSE:
            # "will you tell my mum if my stepdad hits me?" is a disclosure: abuse questions
            # only count as informational when nobody in them is the writer or theirs.
            for token in sentence:
                if token.lower_ in self._first and not any(s <= token.i < e for s, e in frame_spans):
                    return None
        return reason

    def _is_question(self, sentence: Span, strict: bool = False) -> bool:
        """Does the sentence read as a question (about the rules)?

        strict: "if ..." at the start is not enough ("if I tell anyone they'll lock me up").
        """
        rules = self.data.informational
        if _QUESTION_MARK in sentence.text:
            return True
        first = next((t for t in sentence if not t.is_space and not t.is_punct), None)
        if first is not None and first.lower_ in rules.question_starters and not (strict and first.lower_ == "if"):
            return True
        words = [t.lower_ for t in sentence]
        if any(w in rules.rule_words for w in words):
            return True
        pairs = zip(words, words[1:], strict=False)
        return any(a in rules.question_aux and b in rules.question_subjects for a, b in pairs)

    def _negated(self, doc: Doc, candidate: _Candidate, sentence: Span, context: _Context) -> str | None:
        rules = self.data.negation
        index = candidate.start - 1
        fillers = 0
        while index >= sentence.start:
            token = doc[index]
            if token.lower_ in rules.cues or token.norm_ in rules.cues:
                window = doc[max(sentence.start, index - 4) : index]
                if any(t.lower_ in rules.doubt_words for t in window):
                    return None  # "idk if i won't"
                for t in window:
                    if t.lower_ in rules.doubters:
                        before = doc[max(sentence.start, t.i - 2) : t.i]
                        if any(b.lower_ in rules.cues or b.norm_ in rules.cues for b in before):
                            return None  # "not sure I won't", "can't promise I won't"
                for start, _end, _pattern_id in context.cancels:
                    if candidate.end - 1 <= start <= candidate.end + rules.cancel_window:
                        return None  # "I'm not going to kill myself yet", "... but part of me wants to"
                return f"negation {token.text!r}"
            if token.lower_ in rules.fillers or token.norm_ in rules.fillers:
                fillers += 1
                if fillers > rules.max_fillers:
                    return None
                index -= 1
                continue
            return None
        return None

    def _past(self, doc: Doc, candidate: _Candidate, sentence: Span, context: _Context) -> str | None:
        rules = self.data.past
        for start, end, _pattern_id in context.recurrence:
            if candidate.start - rules.window <= start and end <= candidate.end + rules.window:
                return None  # "again", "relapsed", "the urges are back": not over
        low = max(sentence.start, candidate.start - rules.window)
        high = min(sentence.end, candidate.end + rules.window)
        past = [(s, e, p) for s, e, p in context.past if s >= low and e <= high]
        if not past:
            return None
        for start, end, _pattern_id in context.now:
            if sentence.start <= start and end <= sentence.end:
                if not any(ps <= start and end <= pe for ps, pe, _ in past):  # "safe now" is a past marker
                    return None
        region_start = max(sentence.start, candidate.start - rules.lookbehind)
        for start, end, pattern_id in past:
            if start <= candidate.end and end > region_start:
                # "used to cut", "history of self harm", "as a child I was abused", and a marker
                # right after the trigger: "abuse from my own childhood", "abused as a kid"
                return pattern_id
        region = doc[region_start : candidate.end]
        words = {t.lower_ for t in region} | {t.norm_ for t in region}
        if words & rules.present_forms:
            return None  # "I want to die since my dad died years ago"
        if words & rules.past_forms:
            return past[0][2]
        return None
