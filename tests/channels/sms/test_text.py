"""What an SMS says: numbered parts at sentence ends, buttons as numbered choices, keywords."""

from __future__ import annotations

import re

import pytest

from confidant.channels.sms.text import (
    SMS_PART_LIMIT,
    button_label,
    chosen_payload,
    keyword_in,
    render_reply,
    sentences,
    split_for_sms,
    twiml,
)

YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
LONG_REPLY = (
    "In general, what you share in therapy is kept private. There are only a few limits: a serious risk of "
    "harm, suspected abuse of a child or older adult, or a court order. Our policy page does not cover the "
    "rules for young people and their parents. Those rules can depend on your age and where you live, so it "
    "is a good thing to ask your therapist about at the start. You are welcome to ask your therapist, or call "
    "us at (555) 010-0100, before you share anything."
)


def test_a_short_reply_is_one_part_without_a_number() -> None:
    assert split_for_sms("  Take care.\n\nCall us any time.  ") == ["Take care. Call us any time."]


def test_a_long_reply_is_split_at_sentence_ends_and_numbered() -> None:
    parts = split_for_sms(LONG_REPLY)
    assert len(parts) == 2
    assert all(len(part) <= SMS_PART_LIMIT for part in parts)
    assert parts[0].startswith("(1/2) ") and parts[1].startswith("(2/2) ")
    for part in parts:
        assert re.search(r"[.!?]$", part), part  # every part ends where a sentence ends
    rejoined = " ".join(re.sub(r"^\(\d+/\d+\) ", "", part) for part in parts)
    assert rejoined == LONG_REPLY


def test_every_part_fits_even_for_a_sentence_longer_than_a_part() -> None:
    text = "This sentence goes on " + "and on " * 80 + "until it ends. Short one."
    parts = split_for_sms(text)
    assert len(parts) >= 3 and all(len(part) <= SMS_PART_LIMIT for part in parts)
    assert parts[-1].endswith("Short one.")
    assert all(part.startswith(f"({number}/{len(parts)}) ") for number, part in enumerate(parts, 1))


def test_ten_or_more_parts_still_fit_with_the_wider_numbering() -> None:
    parts = split_for_sms("Here is a sentence of moderate length for testing. " * 80)
    assert len(parts) >= 10
    assert all(len(part) <= SMS_PART_LIMIT for part in parts)
    assert parts[9].startswith(f"(10/{len(parts)}) ")


def test_abbreviations_decimals_and_urls_do_not_end_a_sentence() -> None:
    assert sentences("Dr. Lee sees clients. It costs 9.5 dollars. See https://harborlight.example/a.b now!") == [
        "Dr. Lee sees clients.",
        "It costs 9.5 dollars.",
        "See https://harborlight.example/a.b now!",
    ]


def test_emoji_and_rtl_text_are_split_without_breaking_characters() -> None:
    text = "שלום 👋 אני כאן. " * 40
    parts = split_for_sms(text)
    assert all(len(part) <= SMS_PART_LIMIT for part in parts)
    assert "".join(parts).count("👋") == 40


def test_buttons_become_numbered_choices() -> None:
    [text] = render_reply("Did you mean:", [{"title": "Telling my parents", "payload": "x"}, *YES_NO])
    assert text == 'Did you mean: Reply 1 for "Telling my parents", 2 for "Yes" or 3 for "No".'


def test_choices_the_response_already_spells_out_are_not_repeated() -> None:
    sms_variant = "Would you like someone from Harbor Light Counseling to contact you? Reply 1 for yes, 2 for no."
    assert render_reply(sms_variant, YES_NO) == [sms_variant]


def test_a_reply_with_buttons_that_needs_splitting_keeps_the_choices_at_the_end() -> None:
    parts = render_reply(LONG_REPLY, YES_NO)
    assert len(parts) == 2 and parts[-1].endswith('Reply 1 for "Yes" or 2 for "No".')


def test_no_raw_intent_payload_ever_reaches_a_phone() -> None:
    buttons = [
        {"title": "/affirm", "payload": "/affirm"},
        {"payload": "/deny"},
        {"title": "", "payload": '/faq{"a": 1}'},
    ]
    [text] = render_reply("/affirm", buttons)
    assert "/" not in text
    assert text == 'yes Reply 1 for "yes", 2 for "no" or 3 for "faq".'
    assert button_label({"title": "Reach a person", "payload": "/contact"}) == "Reach a person"
    # A slash inside ordinary words or URLs is left alone.
    assert render_reply("Open 24/7 at https://harborlight.example/help and/or call.") == [
        "Open 24/7 at https://harborlight.example/help and/or call."
    ]


@pytest.mark.parametrize("reply, payload", [("1", "/affirm"), (" 2 ", "/deny"), ("2.", "/deny"), ("#1", "/affirm")])
def test_a_numbered_reply_sends_the_matching_payload(reply, payload) -> None:
    assert chosen_payload(reply, YES_NO) == payload


@pytest.mark.parametrize("reply", ["3", "0", "12", "1 2", "yes", "", "2 please"])
def test_other_replies_are_not_choices(reply) -> None:
    assert chosen_payload(reply, YES_NO) is None


def test_a_number_without_offered_buttons_is_just_text() -> None:
    assert chosen_payload("1", []) is None


@pytest.mark.parametrize("word", ["STOP", "stop", " Stop ", "STOPALL", "unsubscribe", "Cancel", "END", "quit", "stop."])
def test_opt_out_keywords(word) -> None:
    assert keyword_in(word).action == "opt_out"


@pytest.mark.parametrize("word", ["START", "unstop", "Start"])
def test_opt_in_keywords(word) -> None:
    assert keyword_in(word).action == "opt_in"


def test_yes_is_an_answer_unless_the_number_has_opted_out() -> None:
    assert keyword_in("yes") is None
    assert keyword_in("YES", opted_out=True).action == "opt_in"


@pytest.mark.parametrize("word", ["HELP", "help", "Info"])
def test_help_keywords(word) -> None:
    assert keyword_in(word).action == "help"


@pytest.mark.parametrize("text", ["please stop", "stop telling my parents", "I need help", "the end", "", "stopp"])
def test_keywords_inside_sentences_are_ordinary_messages(text) -> None:
    # As at Twilio, only a single-word message is a keyword.
    assert keyword_in(text) is None


def test_twilio_advanced_opt_out_type_is_honoured() -> None:
    assert keyword_in("arret", opt_out_type="STOP").action == "opt_out"
    assert keyword_in("reprendre", opt_out_type="START").action == "opt_in"


def test_twiml_is_escaped_and_the_empty_answer_is_an_empty_response() -> None:
    assert twiml().endswith("<Response />")
    assert "<Message>Tom &amp; Jerry &lt;3</Message>" in twiml("Tom & Jerry <3")
