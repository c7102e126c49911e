"""A question written in Spanish gets the topic its words name, answered in Spanish."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from confidant.nlu.message_focus import focus
from confidant.nlu.topic_words import SPANISH_TOPIC_WORDS_FILE, TopicWords, default_spanish_topic_words
from confidant.vocabulary import FAQ_INTENT, FOCUS_PROPERTY, OTHER_LANGUAGE_INTENT, answer_key


def read_in(text: str, language: str) -> Dict[str, Any]:
    """A message the risk component found written in `language`, with no risk: the note's reading."""
    return {
        "text": text,
        "intent": {"name": OTHER_LANGUAGE_INTENT, "confidence": 1.0},
        "intent_ranking": [{"name": OTHER_LANGUAGE_INTENT, "confidence": 1.0}, {"name": "faq", "confidence": 0.6}],
        "response_selector": {"faq": {"response": {"intent_response_key": "faq/limit_harm", "confidence": 0.4}}},
        "risk": {"intent": None, "layers": [], "level": "none", "language": language},
    }


def never_parse(parts: list) -> list:
    raise AssertionError(f"a message in another language is not read in parts: {parts}")


@pytest.mark.parametrize(
    "text, answer",
    [
        ("¿mis papás pueden ver lo que hablo con la psicóloga?", "faq/tell_parents"),
        ("tengo 16 y no quiero que mi mamá se entere de lo que digo", "faq/tell_parents"),
        ("Si mi hijo empieza terapia, ¿me van a decir lo que cuenta?", "faq/tell_parents"),
        ("¿Lo que yo le platico a la terapeuta se queda entre nosotros?", "faq/what_is_confidentiality"),
        ("¿Qué quiere decir secreto profesional?", "faq/what_is_confidentiality"),
        ("¿Todo lo que hablemos queda entre usted y yo?", "faq/what_is_confidentiality"),
        ("¿Quién más va a saber lo que cuento en las sesiones?", "faq/tell_others"),
        ("tengo 15, ¿necesito permiso de mis papás para ir?", "faq/minor_age"),
        ("¿Mi mamá tiene que firmar algo para que yo vaya?", "faq/minor_age"),
        ("¿Por qué importa tanto la privacidad?", "faq/why_it_matters"),
        ("¿Puedo contarle cualquier cosa sin que me juzguen?", "faq/safe_to_share"),
        ("¿La ley obliga al terapeuta a guardar el secreto?", "faq/is_it_law"),
        ("¿Cuándo tiene que romper el secreto un terapeuta?", "faq/limits_overview"),
        ("Si me ven muy mal, ¿van a llamar a la policía?", "faq/limit_harm"),
        ("¿Es verdad que me pueden hospitalizar si lloro mucho?", "faq/limit_harm"),
        ("Si sé de maltrato a una abuelita, ¿ustedes lo denuncian?", "faq/limit_abuse"),
        ("Estoy en pleito con mi ex y su abogado quiere mis notas de terapia", "faq/limit_court"),
        ("Mi esposo se va a enterar de lo que cuento?", "faq/tell_others"),
        ("¿Me dicen primero antes de compartir algo?", "faq/warned_before_disclosure"),
        ("¿Quién tiene acceso a mi historial?", "faq/records_privacy"),
        ("¿Esta conversación la lee alguien?", "faq/bot_privacy"),
        ("¿Guardan lo que escribo aquí?", "faq/bot_privacy"),
        ("¿Cuál es el horario de la oficina?", "faq/contact_practice"),
        ("Soy menor de edad, ¿puedo ir sola?", "faq/minor_age"),
        ("¿Gritarle a mis hijos cuenta como maltrato?", "faq/what_counts_as_abuse"),
        ("Soy indocumentado, ¿eso importa para ir a terapia?", "faq/beyond_immigration"),
        ("¿Aceptan Medicaid y qué ve la aseguradora?", "faq/beyond_insurance"),
        ("¿Quisiera pedir una copia de mi expediente, se puede?", "faq/beyond_own_records"),
        ("¿Tienen grupo de apoyo para mamás?", "faq/beyond_couples_family_group"),
        ("¿Las citas pueden ser en línea?", "faq/beyond_telehealth"),
        ("¿Hablan con mi psiquiatra de lo que digo?", "faq/beyond_other_providers"),
        ("¿Le avisan al consejero de la escuela?", "faq/beyond_school"),
        ("¿Se entera recursos humanos si uso el programa del empleo?", "faq/beyond_employer"),
        ("Mi terapia es mandada por la corte, ¿qué le cuentan al oficial de probatoria?", "faq/beyond_court_ordered"),
        ("Antes vendía drogas. ¿Me pueden meter a la cárcel si lo cuento?", "faq/beyond_substances_crimes"),
        ("Si digo que uso drogas, ¿llaman a la policía?", "faq/beyond_substances_crimes"),
        ("¿Puedo escribirle un correo a mi terapeuta?", "faq/beyond_messaging"),
        ("¿Qué pasa con mis notas cuando me muera?", "faq/beyond_after_death"),
    ],
)
def test_a_topic_named_in_spanish_is_found(text: str, answer: str) -> None:
    assert default_spanish_topic_words().topic(text)[0] == answer


@pytest.mark.parametrize(
    "text",
    [
        "Hola, buenas tardes",
        "gracias, muy amable",
        # Two topics named: neither is guessed at, the note (with the practice's phone) is sent.
        "¿Mis papás pueden ver mi expediente?",
    ],
)
def test_no_topic_or_two_topics_name_nothing(text: str) -> None:
    assert default_spanish_topic_words().topic(text) is None


@pytest.mark.parametrize(
    "text, answer",
    [
        # A court asking for the file is not who at the practice sees it ...
        ("¿El juez puede pedir mi expediente?", "faq/limit_court"),
        # ... this chat being private is not confidentiality in therapy ...
        ("¿este chat es privado?", "faq/bot_privacy"),
        # ... and the police over drugs is not a risk of harm.
        ("Si digo que uso drogas, ¿llaman a la policía?", "faq/beyond_substances_crimes"),
    ],
)
def test_the_narrower_topic_is_named_where_a_wider_ones_words_occur_too(text: str, answer: str) -> None:
    assert default_spanish_topic_words().topic(text)[0] == answer


def test_every_expression_compiles_and_names_an_faq_answer() -> None:
    words = TopicWords.from_file(SPANISH_TOPIC_WORDS_FILE)
    assert words.expressions and all(key.startswith(f"{FAQ_INTENT}/") for key in words.expressions)


def test_a_spanish_question_gets_its_topics_answer_and_no_english_reading() -> None:
    text = "Hola. Tengo 15 años. ¿Le van a decir a mis papás lo que hablo en terapia?"
    chosen = focus(text, read_in(text, "es"), never_parse)
    assert answer_key(chosen) == "faq/tell_parents"
    assert chosen["risk"]["language"] == "es"  # the Spanish variation is sent
    assert chosen[FOCUS_PROPERTY]["reason"].startswith("topic named in plain words, in Spanish: faq/tell_parents")


def test_a_spanish_message_naming_no_topic_keeps_the_note() -> None:
    text = "Hola, quisiera saber cómo funciona todo esto"
    whole = read_in(text, "es")
    assert focus(text, whole, never_parse) is whole


def test_a_message_in_another_language_is_left_whole() -> None:
    text = "Мои родители узнают?"
    whole = read_in(text, "other")
    assert answer_key(focus(text, whole, never_parse)) == OTHER_LANGUAGE_INTENT
