"""Fuzzing the live REST webhook: whatever arrives, no 500 and the server keeps answering."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries(
        {"sender": st.one_of(st.text(max_size=140), st.integers(), st.none()), "message": json_values}
    ).map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries(
        {"sender": st.from_regex(r"fuzz-[a-z0-9]{1,12}", fullmatch=True), "message": st.text(min_size=1, max_size=400)}
    ).map(lambda value: json.dumps(value).encode()),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_no_request_body_causes_a_server_error(rasa_server, body: bytes) -> None:
    status, payload = rasa_server.post_raw(body)
    assert status < 500 or (status == 503 and "messages" in payload), (status, payload, body[:200])
    if status >= 400:
        assert payload["error"] and payload["detail"]


def test_the_server_still_answers_after_fuzzing(rasa_server, sender) -> None:
    assert rasa_server.texts(sender, "hi")
