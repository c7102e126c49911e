"""Flesch-Kincaid grade of a response, the way the wording rules measure it.

The domain tests hold every response in domain.yml to it, and the settings check holds a
practice's own answers (practice.yml `addendum.answers`) to the same grade.
"""

from __future__ import annotations

import re
from typing import List

SLOT_PATTERN = re.compile(r"\{([a-z_]+)\}")
WORD_PATTERN = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)*")


def syllables(word: str) -> int:
    """Vowel groups, less a silent final e: the usual approximation."""
    letters = re.sub(r"[^a-z]", "", word.lower())
    if word.isdigit() or len(letters) <= 3:
        return 1
    letters = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", lambda m: m.group(0)[0], letters)
    letters = re.sub(r"^y", "", letters)
    return max(1, len(re.findall(r"[aeiouy]+", letters)))


def sentences(text: str) -> List[str]:
    return [part for part in re.split(r"(?<=[.!?])\s+", text.strip()) if WORD_PATTERN.search(part)]


def flesch_kincaid_grade(text: str) -> float:
    """Each `{slot}` counts as one two-syllable word."""
    text = SLOT_PATTERN.sub("Oakwood", text)
    words = WORD_PATTERN.findall(text)
    sentence_count = len(sentences(text))
    if not words or not sentence_count:
        return 0.0
    syllable_count = sum(syllables(word) for word in words)
    return 0.39 * len(words) / sentence_count + 11.8 * syllable_count / len(words) - 15.59
