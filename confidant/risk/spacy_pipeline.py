"""The spaCy side of the risk screen: a blank English pipeline and the repairs to its lemmas.

The screen matches on LOWER/NORM/LEMMA with no statistical model, so the lookup lemmatizer's
gaps ("dying" -> "dye", "texted" left alone) are repaired here, only towards lemmas the patterns use.
"""

from __future__ import annotations

from typing import Mapping

import spacy
from spacy.tokens import Doc

from confidant.risk.pattern_types import RiskData


def suffix_lemmas(word: str) -> list[str]:
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


def lemma_values(data: RiskData) -> set[str]:
    """Every LEMMA value the patterns use."""
    return {value for pattern in data.all_patterns() for value in pattern.lemma_values()}


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


def fix_lemmas(doc: Doc, fixes: Mapping[str, str], vocab: frozenset[str]) -> None:
    """Repair the lookup table's gaps: "dying" -> "die" (data), "texted" -> "text" (suffix rule).

    The suffix rule only yields a lemma that some pattern uses, so it cannot invent matches
    elsewhere.
    """
    for token in doc:
        word = token.lower_
        fixed = fixes.get(word)
        if fixed is not None:
            token.lemma_ = fixed
        elif token.lemma_ == word and word not in vocab and len(word) > 4 and token.is_alpha:
            for candidate in suffix_lemmas(word):
                if candidate in vocab:
                    token.lemma_ = candidate
                    break
