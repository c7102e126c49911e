"""Spanish and other languages are recognised; English with a Spanish word is still English."""

from __future__ import annotations

import pytest

from confidant.nlu.language import detect_language


@pytest.mark.parametrize(
    "text, language",
    [
        ("¿Mis papás pueden ver lo que le digo a la terapeuta?", "es"),
        ("no se que hacer con mi vida, nadie me entiende", "es"),
        ("tengo miedo de que mi jefe se entere", "es"),
        # "me" is a word of both languages: it tells neither.
        ("mi esposo me quiere matar, me lo dijo ayer", "es"),
        ("tell me if my mom can see this, me and her share an email", "en"),
        ("me me me, my sister says im selfish lol", "en"),
        ("will you tell my parents?", "en"),
        ("my mom only speaks spanish, will she find out what i say", "en"),
        ("hola, quick question about privacy", "en"),
        ("kms", "en"),
        ("我想知道我说的话会保密吗", "other"),
    ],
)
def test_language(text, language) -> None:
    assert detect_language(text) == language
