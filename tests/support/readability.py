"""The readability measure the wording rules use; it lives in the package (confidant/readability.py)
because the settings check applies it to a practice's own answers too."""

from confidant.readability import SLOT_PATTERN, WORD_PATTERN, flesch_kincaid_grade, sentences, syllables

__all__ = ["SLOT_PATTERN", "WORD_PATTERN", "flesch_kincaid_grade", "sentences", "syllables"]
