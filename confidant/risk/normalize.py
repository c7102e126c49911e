"""Offset-preserving text normalisation for the risk screen.

People in distress do not type cleanly: "im gonna k1ll myselfff", "s-u-i-c-i-d-e",
"wanna dieeee 😭", "suicdal". The matchers work on a normalised copy of the text, and every
character of that copy remembers which characters of the ORIGINAL text it came from, so that
evidence offsets always point into what the person actually wrote.

Everything here is pure and deterministic; the word lists come from data/risk/spelling.yml
(reviewed data, not code) and a frequency word list shipped with spacy-lookups-data (to tell
real words from misspellings, so that real words are never "corrected").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from typing import Iterable, Mapping, Sequence

from confidant.risk import word_frequencies
from confidant.risk.word_frequencies import WordFrequencies

# Words at or above this log-probability in spacy-lookups-data's English frequency table are
# treated as real words and never rewritten by the fuzzy steps (only by the explicit word map).
KNOWN_WORD_LOGPROB = -16.5

_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\ufe0f", "\ufe0e"}
_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u0060": "'", "\u00b4": "'", "\uff07": "'"}
_QUOTES = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'}
_DASHES = {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}

# A run of at least three single letters separated by dots, dashes, stars, underscores or
# spaces: "k.i.l.l", "s-u-i-c-i-d-e", "d i e".
_SPLIT_LETTERS = re.compile(r"(?<![a-z0-9'])(?:[a-z][ .\-_*]{1,2}){2,}[a-z](?![a-z0-9])")
# A word for the word-level fixes: letters plus the digits/symbols people use in place of
# letters ("k1ll", "su!cide", "k*ll"), at least one letter.
_WORD = re.compile(r"(?<![a-z0-9*@$!|])[a-z0-9*@$!|]*[a-z][a-z0-9*@$!|]*")
# A number with its unit ("3yo", "10yr", "2mo", "30mg", "9pm", "2nd"): a quantity, not digits typed
# for letters; unleeted, "my 3yo" became "my yo" and no pattern saw the child's age.
_NUMBER_WITH_UNIT = re.compile(
    r"^[0-9]+(?:yo|yos|yr|yrs|mo|mos|wk|wks|am|pm|st|nd|rd|th|s|mg|ml|kg|lb|lbs|k|x|hr|hrs|min|mins)$"
)
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"}
_HYPHEN_BETWEEN_LETTERS = re.compile(r"(?<=[a-z])[-_/](?=[a-z])")
_REPEAT3 = re.compile(r"([a-z])\1{2,}")
_REPEAT2 = re.compile(r"([a-z])\1+")


@dataclass(frozen=True)
class NormalizedText:
    """The normalised text and, per character, the original character span it came from."""

    text: str
    starts: Sequence[int]
    ends: Sequence[int]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) character span of the normalised text to the original text."""
        if end <= start:
            position = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return position, position
        return self.starts[start], self.ends[end - 1]


def _replace(
    text: str, starts: list[int], ends: list[int], edits: Iterable[tuple[int, int, str]]
) -> tuple[str, list[int], list[int]]:
    """Apply non-overlapping (start, end, new) edits, keeping the character map aligned.

    Every character of a replacement maps to the whole original span it replaces, so an
    evidence span that touches it covers what the person wrote.
    """
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    position = 0
    for start, end, new in edits:
        if start < position:
            continue  # overlapping edit: the earlier one wins
        out.append(text[position:start])
        new_starts.extend(starts[position:start])
        new_ends.extend(ends[position:start])
        if new:
            span_start = starts[start] if end > start else (ends[start - 1] if start else 0)
            span_end = ends[end - 1] if end > start else span_start
            out.append(new)
            new_starts.extend([span_start] * len(new))
            new_ends.extend([span_end] * len(new))
        position = end
    if position == 0:
        return text, starts, ends
    out.append(text[position:])
    new_starts.extend(starts[position:])
    new_ends.extend(ends[position:])
    return "".join(out), new_starts, new_ends


def _damerau_within_one(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


def known_words() -> WordFrequencies:
    """English word frequencies (log-probabilities) from spacy-lookups-data, loaded once.

    Used only to tell a real word ("too", "putting") from a misspelling ("diee", "sucide").
    If the package is missing the screen still works, with fewer typo corrections.
    """
    return word_frequencies.shared(KNOWN_WORD_LOGPROB - 3)


@dataclass(frozen=True)
class SpellingData:
    """What data/risk/spelling.yml says about rewriting words before matching."""

    words: Mapping[str, str]  # exact word -> replacement (may be several words)
    phrases: Mapping[str, str]  # multi-word phrase -> replacement
    fuzzy_targets: frozenset[str]  # risk words that unknown words may be corrected to
    humour_emoji: frozenset[str]  # emoji that read as "lol"
    keep_emoji: Mapping[str, str]  # emoji that carry meaning -> a word
    lemmas: Mapping[str, str] = field(default_factory=dict)  # fixes to the lookup lemmatizer


class Normalizer:
    """Builds the matcher's view of a message; one instance is shared by all calls."""

    def __init__(self, spelling: SpellingData, vocabulary: Iterable[str]) -> None:
        self._spelling = spelling
        self._vocabulary = frozenset(vocabulary) | spelling.fuzzy_targets
        self._known = known_words()
        phrases = sorted(spelling.phrases, key=len, reverse=True)
        self._phrase_re = (
            re.compile(r"(?<![a-z0-9'])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![a-z0-9])")
            if phrases
            else None
        )
        self._fix_word = lru_cache(maxsize=65536)(self._fix_word_uncached)

    # ------------------------------------------------------------------ public
    def __call__(self, text: str, terminate: bool = True) -> NormalizedText:
        """Normalise text; never raises on odd input. terminate: end with a full stop."""
        folded, starts, ends = self._fold(text)
        folded, starts, ends = _replace(folded, starts, ends, self._join_split_letters(folded))
        folded, starts, ends = _replace(folded, starts, ends, self._word_edits(folded))
        if self._phrase_re is not None:
            edits = [(m.start(), m.end(), self._spelling.phrases[m.group(0)]) for m in self._phrase_re.finditer(folded)]
            folded, starts, ends = _replace(folded, starts, ends, edits)
        edits = [(m.start(), m.end(), " ") for m in _HYPHEN_BETWEEN_LETTERS.finditer(folded)]
        folded, starts, ends = _replace(folded, starts, ends, edits)
        if terminate and folded.strip() and folded.rstrip()[-1] not in ".!?":
            # End every message with a full stop, so a pattern can ask for "the end of a
            # sentence" with {LOWER: "."} even on the last, unpunctuated line.
            end = len(text)
            folded += " ."
            starts = [*starts, end, end]
            ends = [*ends, end, end]
        return NormalizedText(folded, starts, ends)

    def frequency(self, word: str) -> float:
        """Log-probability of a word in English text (-99 when unknown)."""
        return self._known.get(word, -99.0)

    def is_known(self, word: str) -> bool:
        """A real (frequent enough) English word, or a word the patterns use."""
        return word in self._vocabulary or self._known.get(word, -99.0) >= KNOWN_WORD_LOGPROB

    # ------------------------------------------------------------------ steps
    def _fold(self, text: str) -> tuple[str, list[int], list[int]]:
        """Lower-case, unify apostrophes/dashes, turn emoji into words or spaces."""
        if text.isascii():
            return text.lower(), list(range(len(text))), list(range(1, len(text) + 1))
        out: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        humour = self._spelling.humour_emoji
        keep = self._spelling.keep_emoji
        for index, char in enumerate(text):
            if char in _ZERO_WIDTH:
                continue
            if char in humour:
                new = " lol "
            elif char in keep:
                new = f" {keep[char]} "
            elif char in _APOSTROPHES:
                new = _APOSTROPHES[char]
            elif char in _QUOTES:
                new = _QUOTES[char]
            elif char in _DASHES:
                new = _DASHES[char]
            elif ord(char) < 128:
                new = char.lower()
            else:
                category = unicodedata.category(char)
                if category in ("So", "Sk", "Cs", "Co", "Cn") or 0x1F000 <= ord(char) <= 0x1FAFF:
                    new = " "
                else:
                    new = unicodedata.normalize("NFKC", char).lower()
                    # drop combining accents so "suïcide" and "sųicide" still read as words
                    new = "".join(c for c in unicodedata.normalize("NFKD", new) if not unicodedata.combining(c)) or " "
            out.append(new)
            starts.extend([index] * len(new))
            ends.extend([index + 1] * len(new))
        return "".join(out), starts, ends

    def _join_split_letters(self, text: str) -> list[tuple[int, int, str]]:
        """'k.i.l.l' -> 'kill', 's-u-i-c-i-d-e' -> 'suicide', 'k i l l m y s e l f' -> 'kill myself'."""
        edits = []
        for match in _SPLIT_LETTERS.finditer(text):
            letters = re.sub(r"[^a-z]", "", match.group(0))
            joined = self._as_vocabulary(letters)
            if joined:
                edits.append((match.start(), match.end(), joined))
        return edits

    def _as_vocabulary(self, letters: str) -> str | None:
        fixed = self._fix_word(letters) or letters
        if fixed in self._vocabulary:
            return fixed
        for cut in range(2, len(letters) - 1):  # two risk words run together
            left, right = self._fix_word(letters[:cut]) or letters[:cut], self._fix_word(letters[cut:]) or letters[cut:]
            if left in self._vocabulary and right in self._vocabulary:
                return f"{left} {right}"
        return None

    def _word_edits(self, text: str) -> list[tuple[int, int, str]]:
        edits = []
        for match in _WORD.finditer(text):
            fixed = self._fix_word(match.group(0))
            if fixed is not None:
                edits.append((match.start(), match.end(), fixed))
        return edits

    def _fix_word_uncached(self, word: str) -> str | None:
        """The corrected form of one word, or None to leave it as written."""
        words = self._spelling.words
        if word in words:
            return words[word]
        if _NUMBER_WITH_UNIT.match(word):
            return None
        has_symbols = not word.isalpha()
        if not has_symbols and self.is_known(word) and not _REPEAT3.search(word):
            if word.endswith("in") and len(word) >= 6 and word + "g" in self._vocabulary:
                return word + "g"  # "thinkin", "killin" are in the frequency list but mean -ing
            return None
        candidate = word
        if has_symbols:
            unleeted = self._unleet(word)
            if unleeted is None:
                return None
            candidate = unleeted
            if candidate in words:
                return words[candidate]
            if self.is_known(candidate) and not _REPEAT3.search(candidate):
                return candidate
        if "ii" in candidate and not self.is_known(candidate):
            for position in range(len(candidate)):  # capital I typed for l: "kiII" -> "kill"
                if candidate[position] == "i":
                    swapped = candidate[:position] + candidate[position:].replace("i", "l")
                    if swapped in self._vocabulary:
                        return swapped
        best = self._best_collapse(candidate)
        if best is not None:
            return words.get(best, best)
        if candidate.endswith("in") and len(candidate) >= 5 and self._more_frequent(candidate + "g", candidate):
            return candidate + "g"  # dropped g: "thinkin", "cuttin"
        if len(candidate) >= 5 and not self.is_known(candidate):
            for target in sorted(self._spelling.fuzzy_targets):
                if _damerau_within_one(candidate, target):
                    return target
        if _REPEAT3.search(candidate):
            return _REPEAT3.sub(r"\1\1", candidate)
        return candidate if candidate != word else None

    def _more_frequent(self, candidate: str, word: str) -> bool:
        """The candidate is a pattern word, or a much more common word than the one typed."""
        if candidate in self._vocabulary:
            return True
        return self._known.get(candidate, -99.0) > self._known.get(word, -99.0) + 2.0

    def _unleet(self, word: str) -> str | None:
        """Digits and symbols standing for letters: 'k1ll' -> 'kill', 'k*ll' -> 'kill'."""
        core = word.strip("*@$!|0123456789")
        if not core or not any(c.isalpha() for c in core):
            return None
        if "*" in core:
            pattern = re.compile(
                "^" + "".join("[a-z]{1,2}" if c == "*" else re.escape(_LEET.get(c, c)) for c in core) + "$"
            )
            matches = sorted(w for w in self._vocabulary if pattern.match(w))
            if not matches:
                return None
            core = max(matches, key=lambda w: self._known.get(w, -99.0))
        else:
            core = "".join(_LEET.get(c, c) for c in core)
        if not core.isalpha():
            return None
        return core

    def _best_collapse(self, word: str) -> str | None:
        """'dieeee' -> 'die', 'myselfff' -> 'myself', 'killll' -> 'kill', 'diee' -> 'die'."""
        runs = [m for m in _REPEAT2.finditer(word)]
        if not runs or len(runs) > 4:
            return None
        if self.is_known(word) and not _REPEAT3.search(word):
            return None
        options = []
        for run in runs:
            letter = run.group(1)
            options.append((letter, letter * 2) if len(run.group(0)) >= 2 else (run.group(0),))
        candidates = []
        for choice in product(*options):
            pieces, position = [], 0
            for run, replacement in zip(runs, choice, strict=True):
                pieces.append(word[position : run.start()])
                pieces.append(replacement)
                position = run.end()
            pieces.append(word[position:])
            candidate = "".join(pieces)
            if candidate != word and self.is_known(candidate):
                in_vocab = candidate in self._vocabulary
                candidates.append((in_vocab, self._known.get(candidate, -99.0), candidate))
        if not candidates:
            return None
        return max(candidates)[2]
