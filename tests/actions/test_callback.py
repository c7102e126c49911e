"""The call-back form's validation reads contact details the classifier took for a question."""

from __future__ import annotations

import asyncio
from typing import Any, Dict

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import ValidateCallbackForm
from confidant.contact_vault import looks_like_contact_attempt
from tests.actions.conftest import make_tracker, user_event


def extracted(intent: str, text: str, domain: Dict[str, Any]) -> Dict[str, Any]:
    tracker = make_tracker([user_event(intent, text)], slots={"requested_slot": "callback_contact"})
    return asyncio.run(ValidateCallbackForm().extract_callback_contact(CollectingDispatcher(), tracker, domain))


@pytest.mark.parametrize("text", ["555-010-0199", "12345", "someone@example.org", "me at someone@example"])
def test_contact_details_taken_for_a_question_are_read_all_the_same(text: str, domain) -> None:
    assert extracted("faq", text, domain) == {"callback_contact": text}


@pytest.mark.parametrize("text", ["wait, will you tell my parents?", "what if I'm 15?", "who sees my number"])
def test_a_question_is_left_to_its_answer(text: str, domain) -> None:
    assert extracted("faq", text, domain) == {}


def test_other_intents_are_left_to_the_slots_own_mapping(domain) -> None:
    # from_text already offers them; risk and "no" are excluded there on purpose.
    assert extracted("affirm", "555-010-0199", domain) == {}
    assert extracted("risk_self_harm", "i want to die 12345", domain) == {}


def test_what_looks_like_an_attempt_at_contact_details() -> None:
    assert looks_like_contact_attempt("call me on 07700 900123")
    assert looks_like_contact_attempt("x@y")
    assert not looks_like_contact_attempt("I'm 15 and my mum is 40")
