"""The texts channels send by themselves: read from the domain, filled in, refused if incomplete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from confidant.channels.channel_texts import (
    CHANNEL_TEXTS,
    DOMAIN_PATH,
    REQUIRED_VARIANTS,
    SMS,
    SMS_FALLBACK,
    SMS_HELP,
    ChannelTextError,
    load_channel_texts,
)
from confidant.channels.sms.text import SMS_PART_LIMIT
from confidant.settings import current_settings

DOMAIN = yaml.safe_load(DOMAIN_PATH.read_text(encoding="utf-8"))


def domain_with(tmp_path: Path, change) -> Path:
    """A copy of the project's domain with `change(responses)` applied."""
    domain = yaml.safe_load(DOMAIN_PATH.read_text(encoding="utf-8"))
    change(domain["responses"])
    path = tmp_path / "domain.yml"
    path.write_text(yaml.safe_dump(domain, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", CHANNEL_TEXTS)
def test_every_channel_text_is_filled_in_and_says_where_help_is(name: str) -> None:
    settings = current_settings()
    texts = load_channel_texts(settings)
    for channel in REQUIRED_VARIANTS[name]:
        text = texts.text(name, channel)
        assert "{" not in text and "}" not in text, text
        assert settings.crisis.emergency_number in text
        if channel == SMS:
            assert len(text) <= SMS_PART_LIMIT


def test_the_sms_help_names_the_practice_the_crisis_line_and_stop() -> None:
    settings = current_settings()
    help_text = load_channel_texts(settings).sms(SMS_HELP)
    assert settings.practice.name in help_text and settings.practice.phone in help_text
    assert settings.practice.website in help_text and "STOP" in help_text
    assert settings.crisis.emergency_number in help_text and settings.crisis_line in help_text


def test_the_sms_fallback_names_every_general_line_and_the_practice() -> None:
    settings = current_settings()
    fallback = load_channel_texts(settings).sms(SMS_FALLBACK)
    assert settings.crisis.emergency_number in fallback and settings.practice.phone in fallback
    assert all(line.how in fallback for line in settings.crisis.lines_for("general"))


def test_web_and_sms_read_their_own_variant_and_other_channels_the_web_one() -> None:
    texts = load_channel_texts(current_settings())
    name = "utter_error_rate_limited"
    web = DOMAIN["responses"][name][0]["text"]
    assert not DOMAIN["responses"][name][0].get("channel")
    assert texts.text(name, "socketio") == texts.text(name, "collector") == texts.web(name)
    assert texts.sms(name) != texts.web(name)
    assert texts.web(name).startswith(web.split("{", 1)[0])
    # A text only SMS sends has no web variant: every channel reads the SMS one.
    assert texts.text(SMS_HELP, "socketio") == texts.sms(SMS_HELP)


def test_a_domain_missing_a_text_or_a_variant_stops_start_up_naming_it(tmp_path) -> None:
    def drop(responses) -> None:
        del responses[SMS_HELP]
        responses["utter_error_timeout"] = [v for v in responses["utter_error_timeout"] if v.get("channel") != "sms"]

    with pytest.raises(ChannelTextError) as refused:
        load_channel_texts(current_settings(), domain_with(tmp_path, drop))
    assert f"{SMS_HELP} (channel: sms variant) is missing" in str(refused.value)
    assert "utter_error_timeout (channel: sms variant) is missing" in str(refused.value)


def test_a_text_naming_what_the_practice_cannot_fill_or_no_emergency_number_is_refused(tmp_path) -> None:
    def spoil(responses) -> None:
        responses["utter_error_empty"][0]["text"] = "Empty. Call {emergency_number} or {practice_fax}."
        responses["utter_error_turn_failed"][1]["text"] = "Sorry, please try again."

    with pytest.raises(ChannelTextError) as refused:
        load_channel_texts(current_settings(), domain_with(tmp_path, spoil))
    assert re.search(r"utter_error_empty \(web variant\) names \{practice_fax\}", str(refused.value))
    assert "utter_error_turn_failed (channel: sms variant) must name {emergency_number}" in str(refused.value)


@pytest.mark.parametrize("content", [None, "responses: [", b"\xff\xfe"])
def test_a_domain_that_cannot_be_read_is_refused_with_its_path(tmp_path, content) -> None:
    path = tmp_path / "domain.yml"
    if isinstance(content, str):
        path.write_text(content)
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(ChannelTextError) as refused:
        load_channel_texts(current_settings(), path)
    assert str(path) in str(refused.value)
