"""Fuzzing the SMS webhook on a real Sanic server: whatever Twilio (or anyone) posts, no 500.

One served channel takes a hypothesis-generated batch of requests: raw bytes, random forms,
correctly signed Twilio forms with hostile bodies and senders, forged signatures. Afterwards
an ordinary signed message is still answered.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.channels.conftest import PUBLIC_URL, sign, twilio_form
from tests.channels.sms.test_webhook import PHONE, run, settle

PATH = "/webhooks/sms/webhook"
hostile_text = st.one_of(
    st.text(max_size=400),
    # Longer than any SMS (Twilio joins up to 1,600 characters); built, not drawn, to keep batches small.
    st.builds(lambda char, count: char * count, st.characters(blacklist_categories=["Cs"]), st.integers(1600, 3000)),
    st.sampled_from(["", " ", "\x00", "<script>alert(1)</script>", "STOP", "START", "HELP", "1", "\u202eevil"]),
)
phone_like = st.one_of(st.from_regex(r"\+1[0-9]{10}", fullmatch=True), st.text(max_size=30))
requests = st.one_of(
    st.binary(max_size=500).map(lambda body: ("raw", body, None)),
    st.dictionaries(st.text(max_size=15), st.text(max_size=60), max_size=6).map(lambda form: ("unsigned", form, "")),
    st.builds(lambda sender, text: ("signed", twilio_form(sender, text), None), phone_like, hostile_text),
    st.builds(
        lambda text, forged: ("forged", twilio_form(PHONE, text), forged),
        hostile_text,
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),  # a header value
    ),
)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(requests, min_size=25, max_size=25))
def test_no_request_to_the_sms_webhook_causes_a_server_error(tmp_path, twilio, batch) -> None:
    async def scenario(client):
        statuses = []
        for kind, payload, signature in batch:
            if kind == "raw":
                headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"}
                async with client.session.post(client.url + PATH, data=payload, headers=headers) as response:
                    statuses.append((kind, response.status))
            else:
                status, _ = await client.post(payload, signature=signature)
                statuses.append((kind, status))
        await settle(client)
        ordinary = twilio_form(PHONE, "will you tell my parents?")
        status, _ = await client.post(ordinary, signature=sign(PUBLIC_URL + PATH, ordinary))
        await settle(client)
        return statuses, status

    statuses, after = run(scenario, tmp_path, twilio)
    assert [entry for entry in statuses if entry[1] >= 500] == []
    assert all(status in (401, 403) for kind, status in statuses if kind == "forged"), statuses
    assert after == 200
    assert twilio.to(PHONE)[-1] == "You said: will you tell my parents?"
