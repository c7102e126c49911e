"""Which language a message is written in: English, Spanish, or something else.

The NLU and the risk screen read English. A message in another language must never be guessed
at by them (a Spanish question once got the suicide crisis reply): it is screened for risk with
the Spanish phrases in data/risk/spanish.yml; a Spanish question that names its topic in the
words of data/topic_words_spanish.yml gets that answer in Spanish (the message focus step), and
anything else a short note, in Spanish, on what the assistant can do and how to reach the
practice. Pure and fast: counts of common function words, no model.
"""

from __future__ import annotations

import re
from typing import Any, Literal, Mapping, get_args

from confidant.vocabulary import RISK_PROPERTY

Language = Literal["en", "es", "other"]
LANGUAGES: tuple[Language, ...] = get_args(Language)

_WORD = re.compile(r"[a-záéíóúüñ']+")
# Short, frequent words that are common in one language and rare in the other.
SPANISH_WORDS = frozenset(
    "que de la el los las del mi mis es est[aá] estoy tengo quiero puedo puede pueden con para por "
    "una un lo le les pero como cómo qué porque también muy más ya soy eres usted ustedes ella "
    "ellos nosotros hay esto eso esta este mamá papá hijo hija terapeuta terapia decir dice "
    "si sí nadie nada todo cuando donde dónde quién cuál hacer hablar ayuda vida "
    "y me te se su sus en al nunca siempre algo hoy mañana noche sin hasta desde entre ganas miedo "
    "ayer dijo quiere tiene va voy vez bien ahora aquí hace años casa esposo esposa novio novia".split()
)
ENGLISH_WORDS = frozenset(
    "the and to is my i you what will do does can if of it in that this are was for with be have "
    "me your they would could should about not dont don't im i'm just like so or but when how who".split()
)
# Cyrillic, Hebrew, Arabic, Indic, Thai/Lao, Japanese kana, Chinese, Korean.
_NON_LATIN = re.compile(
    r"[\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u0e00-\u0eff\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]"
)


def detect_language(text: str) -> Language:
    """`es` when Spanish words clearly outnumber English ones; `other` for non-Latin scripts."""
    lowered = text.lower()
    letters = [c for c in lowered if c.isalpha()]
    if letters and sum(1 for c in letters if _NON_LATIN.match(c)) / len(letters) > 0.5:
        return "other"
    words = _WORD.findall(lowered)
    # A word of both lists ("me") tells neither language.
    spanish = sum(1 for w in words if w in SPANISH_WORDS and w not in ENGLISH_WORDS)
    english = sum(1 for w in words if w in ENGLISH_WORDS and w not in SPANISH_WORDS)
    accented = bool(re.search(r"[ñ¿¡áéíóú]", lowered))
    if spanish >= 2 and spanish > 2 * english and (accented or spanish >= 3 or english == 0):
        return "es"
    return "en"


def language_read(parse: Mapping[str, Any]) -> Language:
    """The language the risk component found a parsed message written in (English unless it said)."""
    decision = parse.get(RISK_PROPERTY)
    language = decision.get("language") if isinstance(decision, Mapping) else None
    return language if language in LANGUAGES else "en"
