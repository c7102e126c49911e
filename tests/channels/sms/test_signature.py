"""Twilio's signature check: valid, forged, unsigned, wrong URL; and the form it covers."""

from __future__ import annotations

import pytest

from confidant.channels.sms.signature import (
    FormError,
    SignatureCheck,
    normalise_public_url,
    parse_form,
    public_request_url,
)
from tests.channels.conftest import AUTH_TOKEN, PUBLIC_URL, sign, twilio_form

URL = PUBLIC_URL + "/webhooks/sms/webhook"
FORM = twilio_form("+14155550142", "will you tell my parents? 😟 هل")


def as_params(form: dict) -> dict:
    return {key: [value] for key, value in form.items()}


def test_a_request_signed_by_twilio_is_valid() -> None:
    assert SignatureCheck(AUTH_TOKEN).is_valid(URL, as_params(FORM), sign(URL, FORM))


def test_twilio_s_published_example_signature_is_reproduced() -> None:
    # The test vector of Twilio's own SDKs (RequestValidatorTest): an independent check of the algorithm.
    params = {
        "CallSid": ["CA1234567890ABCDE"],
        "Caller": ["+14158675309"],
        "Digits": ["1234"],
        "From": ["+14158675309"],
        "To": ["+18005551212"],
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert SignatureCheck("12345").sign(url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


@pytest.mark.parametrize(
    "signature",
    [
        "",  # unsigned
        None,
        "RSOYDt4T1cUTdK1PDd93/VVr8B8=",  # someone else's
        sign(URL, FORM, auth_token="not-the-token"),  # the wrong key
    ],
)
def test_unsigned_or_forged_requests_are_invalid(signature) -> None:
    assert not SignatureCheck(AUTH_TOKEN).is_valid(URL, as_params(FORM), signature)


def test_a_changed_field_breaks_the_signature() -> None:
    signature = sign(URL, FORM)
    tampered = dict(FORM, From="+14155550199")
    assert not SignatureCheck(AUTH_TOKEN).is_valid(URL, as_params(tampered), signature)
    extra = dict(FORM, Extra="1")
    assert not SignatureCheck(AUTH_TOKEN).is_valid(URL, as_params(extra), signature)


def test_the_signature_is_checked_against_the_public_url_not_the_local_one() -> None:
    signature = sign(URL, FORM)
    local = "http://127.0.0.1:5005/webhooks/sms/webhook"
    assert not SignatureCheck(AUTH_TOKEN).is_valid(local, as_params(FORM), signature)
    assert not SignatureCheck(AUTH_TOKEN).is_valid(PUBLIC_URL + "/webhooks/sms/fallback", as_params(FORM), signature)
    assert SignatureCheck(AUTH_TOKEN).is_valid(
        public_request_url(PUBLIC_URL + "/", "/webhooks/sms/webhook"), as_params(FORM), signature
    )


def test_twilio_s_explicit_port_variant_is_accepted() -> None:
    signature = sign("https://sms.harborlight.example:443/webhooks/sms/webhook", FORM)
    assert SignatureCheck(AUTH_TOKEN).is_valid(URL, as_params(FORM), signature)


def test_the_public_url_keeps_a_proxy_prefix_and_the_query() -> None:
    assert public_request_url("https://x.example/confidant/", "/webhooks/sms/webhook", "a=1") == (
        "https://x.example/confidant/webhooks/sms/webhook?a=1"
    )


@pytest.mark.parametrize("bad", ["", "sms.example.org", "ftp://x.example", "https://", "https://x.example/?a=1"])
def test_a_public_url_must_be_absolute_http(bad) -> None:
    with pytest.raises(ValueError):
        normalise_public_url(bad)


def test_forms_are_parsed_as_utf8_and_keep_blank_values() -> None:
    form = parse_form(b"Body=%D7%A9%D7%9C%D7%95%D7%9D+%F0%9F%91%8B&ToCity=&From=%2B14155550142")
    assert form == {"Body": ["שלום 👋"], "ToCity": [""], "From": ["+14155550142"]}
    assert parse_form(b"") == {}


@pytest.mark.parametrize("body", [b"Body=\xff\xfe", b"Body=%FF%FE"])
def test_non_utf8_forms_are_refused(body) -> None:
    with pytest.raises(FormError):
        parse_form(body)
