"""The practice page in a real browser (Debian's Chromium, driven by Playwright).

A person opens the page, reads the welcome and disclaimer, asks a question, says they want to
die, reloads, then presses quick exit; the crisis lines are on the page even when the assistant
is down. Nothing leaves the machine: requests outside loopback are refused and recorded.
"""

from __future__ import annotations

import json
from typing import Any

from tests.support.practice_file import crisis_links, practice_call_link

NEUTRAL_SITE = "https://www.google.com/search?q=weather"
RESPONSES = "#webchat .rw-response"
# Quick replies: the real buttons web/widget_access.js puts in place of the widget's <div>s.
REPLY_BUTTONS = "#webchat .cf-reply"
CRISIS_CARD = "#webchat .crisis-card"
WAIT_MS = 45_000


def open_page(browser: Any, url: str) -> Any:
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.console_messages = []  # type: ignore[attr-defined]
    page.on("console", lambda message: page.console_messages.append(message.text))
    page.socket_requests = []  # type: ignore[attr-defined]
    page.on("request", lambda request: "/socket.io/" in request.url and page.socket_requests.append(request.url))
    page.on("websocket", lambda socket: page.socket_requests.append(socket.url))
    page.goto(url)
    return page


def response_with(page: Any, *words: str) -> Any:
    """The bot message containing every word, once it is on screen."""
    locator = page.locator(RESPONSES)
    for word in words:
        locator = locator.filter(has_text=word)
    locator.first.wait_for(state="visible", timeout=WAIT_MS)
    return locator.first


def say(page: Any, text: str) -> None:
    box = page.locator("#webchat .rw-new-message")
    box.fill(text)
    box.press("Enter")


def stored_everywhere(page: Any, browser: Any) -> dict:
    return {
        "localStorage": page.evaluate("JSON.stringify(window.localStorage)"),
        "sessionStorage": page.evaluate("JSON.stringify(window.sessionStorage)"),
        "cookies": page.evaluate("document.cookie") + json.dumps(browser.cookies()),
        "indexedDB": page.evaluate("async () => JSON.stringify(await indexedDB.databases())"),
    }


def test_a_conversation_survives_a_reload_and_quick_exit_wipes_it(browser, chat_page, practice) -> None:
    page = open_page(browser, chat_page)

    # The welcome and disclaimer come first (initPayload /greet).
    welcome = response_with(page, f"automated assistant of {practice.practice.name}", "not a therapist")
    assert practice.crisis.emergency_number in welcome.inner_text()
    assert practice.crisis.lines_for("general")[0].name in page.locator("#crisis-banner").inner_text()

    say(page, "will you tell my parents?")
    response_with(page, "young people")
    # The widget's socket.io client starts with long-polling and upgrades to a WebSocket on the
    # same session: the reason the production proxy keeps /socket.io/ on one instance per client.
    assert any(url.startswith("ws://") and "transport=websocket" in url for url in page.socket_requests)

    say(page, "i want to kill myself")
    response_with(page, "no one reads this chat live")
    card = page.locator(CRISIS_CARD)
    card.wait_for(timeout=WAIT_MS)
    assert practice.crisis.lines_for("self_at_risk")[0].name in card.inner_text()
    assert practice.crisis.emergency_number in card.inner_text()
    # The call-back offer comes as quick-reply buttons.
    page.locator(REPLY_BUTTONS, has_text="Yes, please contact me").wait_for(timeout=WAIT_MS)
    assert page.locator(REPLY_BUTTONS, has_text="No, thank you").is_visible()

    # The transcript is in this tab's sessionStorage, and nowhere that outlives the tab.
    stored = stored_everywhere(page, browser)
    assert "young people" in stored["sessionStorage"]
    assert stored["localStorage"] == "{}" and stored["cookies"] == "[]" and stored["indexedDB"] == "[]"
    token = json.loads(page.evaluate("sessionStorage.getItem('chat_session')"))["session_id"]

    # A reload keeps the conversation: the transcript, the session, and the buttons still work.
    page.reload()
    response_with(page, "young people")
    page.locator(CRISIS_CARD).wait_for(timeout=WAIT_MS)
    page.locator(REPLY_BUTTONS, has_text="No, thank you").click()
    response_with(page, "The practice has still been told")
    assert json.loads(page.evaluate("sessionStorage.getItem('chat_session')"))["session_id"] == token
    stored = stored_everywhere(page, browser)
    assert stored["localStorage"] == "{}" and stored["cookies"] == "[]" and stored["indexedDB"] == "[]"

    # Quick exit: the page goes to a neutral site (answered here, not from the network) ...
    page.route(
        NEUTRAL_SITE,
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>Weather</title>Weather"),
    )
    page.locator("#quick-exit").click()
    page.wait_for_url(NEUTRAL_SITE, timeout=10_000)
    # ... and Back does not return to the chat, which left the tab's history.
    page.go_back()
    assert not page.url.startswith(chat_page)
    # Nothing of the conversation is left in the page's origin, in this tab or beyond it.
    page.goto(chat_page + "nothing-here")  # same origin, same tab: a 404, no chat
    stored = stored_everywhere(page, browser)
    assert stored == {"localStorage": "{}", "sessionStorage": "{}", "cookies": "[]", "indexedDB": "[]"}

    # Nothing was fetched from anywhere but this machine, and the page broke none of its own rules.
    assert browser.outside_requests == []
    assert not [text for text in page.console_messages if "Content Security Policy" in text]


def test_quick_exit_works_before_the_assistant_answers(browser, chat_page) -> None:
    page = open_page(browser, chat_page)
    page.route(NEUTRAL_SITE, lambda route: route.fulfill(status=200, content_type="text/html", body="Weather"))
    page.locator("#quick-exit").click()
    page.wait_for_url(NEUTRAL_SITE, timeout=10_000)
    page.goto(chat_page + "nothing-here")
    assert page.evaluate("window.sessionStorage.length + window.localStorage.length") == 0


def test_the_crisis_lines_are_on_the_page_when_the_assistant_is_down(browser, page_without_assistant, practice) -> None:
    page = open_page(browser, page_without_assistant)
    banner = page.locator("#crisis-banner")
    banner.wait_for(state="visible", timeout=10_000)
    hrefs = banner.locator("a").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert hrefs == [href for _, href in crisis_links(practice, "general") + [practice_call_link(practice)]]
    assert practice.practice.phone in banner.inner_text()
    # The page says the assistant can't be reached, and points to the numbers.
    status = page.locator("#chat-status")
    status.wait_for(state="visible", timeout=WAIT_MS)
    assert "can't be reached" in status.inner_text()
    assert page.locator("#quick-exit").is_visible()
    assert browser.outside_requests == []


def test_the_page_still_helps_if_the_widget_cannot_load(browser, page_without_assistant, practice) -> None:
    page = browser.pages[0]
    page.route("**/vendor/rasa-webchat.js", lambda route: route.fulfill(status=404, body="missing"))
    page.goto(page_without_assistant)
    status = page.locator("#chat-status")
    status.wait_for(state="visible", timeout=10_000)
    assert "could not load" in status.inner_text()
    first_call = next(label for label, href in crisis_links(practice, "general")[1:] if href.startswith("tel:"))
    assert first_call in " ".join(page.locator("#crisis-banner").inner_text().split())
    assert page.locator("#quick-exit").is_visible()
