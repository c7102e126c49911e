"""The real action server (confidant/action_server.py): who it answers, what a failure shows, and
saving a call-back the way Rasa asks for it.

Calls go over HTTP to the server the conversation tests use, with the body Rasa sends and the
shared secret from endpoints.yml. The call-back's number must reach only the encrypted vault:
not the reply, not the notification, not the log.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from confidant.action_server import SECRET_HEADER
from confidant.contact_vault import ContactVault
from confidant.notify.outbox import Outbox
from tests.support.receivers import wait_until

NUMBER = "555-010-0199"
NUMBER_FORMS = (NUMBER, "5550100199", "555 010 0199")


def call(
    server: Any, body: Optional[Dict[str, Any]], secret: Optional[str], path: str = "/webhook", method: str = "POST"
) -> Tuple[int, Any]:
    """One request to the action server; the status and the JSON answer."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def action_call(action: str, sender: str, text: str, intent: str, slots: Dict[str, Any]) -> Dict[str, Any]:
    """What Rasa posts to run `action` after the message `text`, in the call-back form."""
    user = {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "text": text},
        "input_channel": "rest",
    }
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "latest_message": {"text": text, "intent": {"name": intent, "confidence": 0.9}},
            "events": [
                user,
                {"event": "slot", "name": "requested_slot", "value": slots.get("requested_slot")},
                {"event": "action", "name": "callback_form"},
            ],
            "paused": False,
            "active_loop": {"name": "callback_form"},
            "latest_action_name": "callback_form",
            "latest_input_channel": "rest",
        },
    }


def test_every_path_but_health_needs_the_shared_secret(action_server, server_env) -> None:
    secret = server_env["CONFIDANT_ACTION_SECRET"]
    body = action_call("action_save_callback", "test-" + uuid.uuid4().hex, "any time", "affirm", {})
    assert call(action_server, body, secret=None) == (403, {"error": "forbidden"})
    assert call(action_server, body, secret="not-" + secret) == (403, {"error": "forbidden"})
    assert call(action_server, body, secret=secret[:-1]) == (403, {"error": "forbidden"})
    assert call(action_server, None, secret=None, path="/actions", method="GET") == (403, {"error": "forbidden"})
    assert call(action_server, None, secret=None, path="/health", method="GET") == (200, {"status": "ok"})
    # The right secret is let through (a call-back with no contact says it cannot be saved).
    status, answer = call(action_server, body, secret=secret)
    assert status == 200 and [m["response"] for m in answer["responses"]] == ["utter_callback_unavailable"]


def test_a_failing_action_answers_500_naming_nothing_of_the_conversation(action_server, server_env) -> None:
    marker = "zq" + uuid.uuid4().hex[:12]
    body = action_call("action_save_callback", "test-" + uuid.uuid4().hex, f"my secret is {marker}", "affirm", {})
    del body["tracker"]["sender_id"]  # the tracker cannot be read: the action raises
    status, answer = call(action_server, body, secret=server_env["CONFIDANT_ACTION_SECRET"])
    # rasa_sdk's own handler would send the whole request back, the client's words with it.
    assert (status, answer) == (500, {"error": "action failed"})
    wait_until(lambda: "Action call failed: KeyError" in action_server.log_text(), timeout=10)
    assert marker not in action_server.log_text()
    # The server goes on answering.
    assert call(action_server, None, secret=None, path="/health", method="GET")[0] == 200


def test_a_saved_call_back_is_encrypted_in_the_vault_notified_and_read_back_by_its_last_digits(
    action_server, server_env, webhook_receiver, practice
) -> None:
    secret, sender = server_env["CONFIDANT_ACTION_SECRET"], "test-" + uuid.uuid4().hex
    # The form's validation takes how, the number and when from one message...
    text = f"text only please, my number is {NUMBER}, after 5pm"
    given = action_call("validate_callback_form", sender, text, "inform_contact", {"requested_slot": "callback_how"})
    status, validated = call(action_server, given, secret)
    assert status == 200
    slots = {event["name"]: event["value"] for event in validated["events"] if event["event"] == "slot"}
    assert slots["callback_contact"] == "phone ending 99" and slots["callback_how"] == "text_only"
    assert slots["callback_ref"] and "5pm" in slots["callback_when"]
    # ...and, the form complete, the call-back is saved and read back.
    save = action_call("action_save_callback", sender, text, "inform_contact", slots)
    status, saved = call(action_server, save, secret)
    assert status == 200
    [reply] = saved["responses"]
    assert reply["response"] == "utter_callback_saved"
    assert (reply["contact_ending"], reply["reach_how"]) == ("99", "text")
    assert all(event["value"] is None for event in saved["events"])  # ready for another call-back

    # The number is in the vault, encrypted: readable with the key, not in the file.
    vault_path = Path(server_env["CONFIDANT_CONTACT_VAULT_PATH"])
    stored = b"".join(path.read_bytes() for path in vault_path.parent.glob(vault_path.name + "*"))
    assert not any(form.encode() in stored for form in NUMBER_FORMS)
    [contact] = ContactVault(vault_path, server_env["CONFIDANT_CONTACT_KEY"].encode()).reveal(sender)
    assert (contact.value, contact.how) == (NUMBER, "text_only") and "5pm" in (contact.when or "")

    # The practice is told once, without the number, and the notice is delivered.
    outbox = Outbox(Path(server_env["CONFIDANT_OUTBOX_PATH"]))
    try:
        [escalation] = outbox.escalations(sender)
        notices = [n for n in outbox.notifications(escalation.id) if n.kind == "callback"]
    finally:
        outbox.close()
    assert len(notices) == len(practice.escalation.notifiers)
    delivered = wait_until(
        lambda: next(
            (p for p in webhook_receiver.received if p["conversation_id"] == sender and p["type"] == "callback"), None
        ),
        timeout=30,
    )
    assert delivered["practice"] == practice.practice.name
    shown = json.dumps([validated, saved, delivered]) + action_server.log_text()
    assert not any(form in shown for form in NUMBER_FORMS)
