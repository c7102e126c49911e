"""The chat page in a real browser at desktop and phone sizes: the crisis reply and the crisis
footer stay in view (keyboard open or not), starter questions and quick replies are buttons,
everything works from the keyboard alone, and axe-core finds no critical or serious violation.

Screenshots are kept in tests/web/test-results/ (not committed). axe-core comes from npm
(web/node_modules, a dev dependency) and is handed to the page from this machine at a path of
the page's own origin, so the page's Content-Security-Policy lets it run; nothing is fetched
from a CDN.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

from confidant.web_page import WEB_ROOT
from tests.support.practice_file import crisis_links, practice_settings
from tests.web.test_browser import CRISIS_CARD, REPLY_BUTTONS, WAIT_MS, open_page, response_with, say

ARTEFACTS = Path(__file__).resolve().parent / "test-results"
AXE_SCRIPT = WEB_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_ROUTE = "/__test__/axe.min.js"
STARTERS = "#webchat .cf-starter"
INPUT = "#webchat .rw-new-message"
# (name, width, height, height with the on-screen keyboard open): a phone's keyboard takes
# about 40 % of its height; with interactive-widget=resizes-content the page gets what is left.
SCREENS = [
    ("desktop", 1366, 800, None),
    ("phone", 390, 844, 500),
    ("small-phone", 320, 568, 320),
]


def screenshot(page: Any, name: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"))


def box(page: Any, selector: str) -> Dict[str, float]:
    return page.locator(selector).first.evaluate(
        "node => { const r = node.getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }"
    )


def on_screen_and_uncovered(page: Any, selector: str) -> List[str]:
    """The elements matching `selector` that are off screen or under something else."""
    return page.evaluate(
        """selector => Array.from(document.querySelectorAll(selector)).filter(node => {
             const r = node.getBoundingClientRect();
             if (r.top < 0 || r.left < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5) return true;
             const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
             return !(hit && (hit === node || node.contains(hit)));
           }).map(node => node.textContent.trim())""",
        selector,
    )


def crisis_start_in_view(page: Any) -> Dict[str, Any]:
    """Where the crisis reply starts (the message before its card) against the message list."""
    return page.evaluate(
        """cardSelector => {
             const card = document.querySelector(cardSelector);
             const message = card.closest('.rw-message');
             const start = message.previousElementSibling || message;
             const list = document.getElementById('rw-messages').getBoundingClientRect();
             const r = start.getBoundingClientRect();
             return {text: start.textContent.trim().slice(0, 60), top: r.top, listTop: list.top,
                     listBottom: list.bottom,
                     topVisible: r.top >= list.top - 1 && r.top + 16 <= list.bottom && r.top >= 0};
           }""",
        CRISIS_CARD,
    )


def assert_crisis_help_in_view(page: Any, label: str) -> None:
    start = crisis_start_in_view(page)
    assert start["topVisible"], f"{label}: the crisis reply's start is out of view: {start}"
    assert "If you might act on these thoughts" in start["text"], start
    # Every button of the footer is on screen and nothing (the chat's text box) covers it.
    assert on_screen_and_uncovered(page, "#crisis-banner a") == [], label
    assert on_screen_and_uncovered(page, INPUT) == [], label
    assert box(page, INPUT)["bottom"] <= box(page, "#crisis-banner")["top"] + 0.5, label


@pytest.mark.parametrize("name, width, height, keyboard_height", SCREENS, ids=[s[0] for s in SCREENS])
def test_the_crisis_reply_and_the_footer_stay_in_view(browser, chat_page, name, width, height, keyboard_height) -> None:
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page = open_page(browser, chat_page)
    page.locator(STARTERS).first.wait_for(timeout=WAIT_MS)
    assert on_screen_and_uncovered(page, "#crisis-banner a") == []
    screenshot(page, f"{name}-welcome")

    say(page, "i want to kill myself")
    card = page.locator(CRISIS_CARD)
    card.wait_for(timeout=WAIT_MS)
    # The call-back offer comes after the card: the chat must not scroll the crisis reply away for it.
    page.locator(REPLY_BUTTONS, has_text="No, thank you").wait_for(state="attached", timeout=WAIT_MS)
    page.wait_for_timeout(500)
    screenshot(page, f"{name}-crisis")
    assert_crisis_help_in_view(page, name)
    # The card calls and texts: the emergency number first, then each line.
    hrefs = card.locator("a").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert hrefs == [href for _, href in crisis_links(practice_settings(), "self_at_risk")]
    if name == "desktop":  # on a phone the (long, for now) crisis text comes first, the card below it
        assert on_screen_and_uncovered(page, CRISIS_CARD + " .crisis-emergency a") == []

    if keyboard_height:
        # The on-screen keyboard opens over the lower part of the screen: the page shrinks.
        page.locator(INPUT).focus()
        page.set_viewport_size({"width": width, "height": keyboard_height})
        page.wait_for_timeout(300)
        screenshot(page, f"{name}-crisis-keyboard")
        assert_crisis_help_in_view(page, f"{name} with the keyboard open")

    # Writing again hands the scrolling back to the chat: the newest message is in view.
    say(page, "what if I'm in court?")
    response_with(page, "court order")
    page.wait_for_timeout(300)
    below = page.evaluate(
        "() => { const l = document.getElementById('rw-messages');"
        " return l.scrollHeight - l.scrollTop - l.clientHeight; }"
    )
    assert below < 5


def focused(page: Any) -> Dict[str, str]:
    return page.evaluate(
        """() => { const n = document.activeElement; const s = getComputedStyle(n);
                   return {tag: n.tagName, cls: n.className || '', text: (n.textContent || '').trim(),
                           outline: s.outlineStyle + ' ' + s.outlineWidth}; }"""
    )


def tab_to(page: Any, predicate, key: str = "Tab", limit: int = 40) -> Dict[str, str]:
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if predicate(now):
            return now
    raise AssertionError(f"never reached by Tab; last focus: {focused(page)}")


def test_the_chat_works_from_the_keyboard_alone_and_reads_replies_out(browser, chat_page) -> None:
    page = open_page(browser, chat_page)
    starters = page.locator(STARTERS)
    starters.first.wait_for(timeout=WAIT_MS)
    assert starters.all_inner_texts()[:2] == [
        "What does confidentiality mean in therapy?",
        "Is there anything you can't keep private?",
    ]
    assert page.locator("#webchat .rw-send").get_attribute("aria-label") == "Send"

    # From the top of the page, Tab reaches the message list, then the starter questions.
    page.locator("body").focus()
    page.evaluate("() => document.activeElement.blur()")
    listed = tab_to(page, lambda f: "rw-messages-container" in f["cls"])
    assert listed["outline"].startswith("solid")
    starter = tab_to(page, lambda f: "cf-starter" in f["cls"])
    assert starter["tag"] == "BUTTON" and starter["outline"].startswith("solid")
    page.keyboard.press("Enter")
    asked = starter["text"]
    page.locator("#webchat .rw-client", has_text=asked).wait_for(timeout=WAIT_MS)
    response_with(page, "duty to keep what you share private")
    assert page.locator(STARTERS).count() == 0  # once the person has written, they go

    # The text box has a visible focus ring; the reply was read out through the live region.
    text_box = focused(page)
    assert text_box["tag"] == "TEXTAREA" and text_box["outline"].startswith("solid")
    announcer = page.locator("#chat-announcer")
    assert announcer.get_attribute("aria-live") == "polite"
    assert "duty to keep what you share private" in announcer.inner_text()

    page.keyboard.type("i want to kill myself")
    page.keyboard.press("Enter")
    page.locator(CRISIS_CARD).wait_for(timeout=WAIT_MS)
    page.locator(REPLY_BUTTONS, has_text="No, thank you").wait_for(timeout=WAIT_MS)
    emergency_call = f"Call {practice_settings().crisis.emergency_number}"
    page.wait_for_function(
        "(words) => document.getElementById('chat-announcer').innerText.includes(words)", arg=emergency_call
    )
    # The quick replies are buttons Tab reaches (back from the text box); Enter on one answers.
    reply = tab_to(page, lambda f: f["text"] == "No, thank you", key="Shift+Tab")
    assert reply["tag"] == "BUTTON"
    page.keyboard.press("Enter")
    response_with(page, "The practice has still been told")
    assert focused(page)["tag"] == "TEXTAREA"


def run_axe(page: Any, name: str) -> List[Dict[str, Any]]:
    page.add_script_tag(url=page.url.split("#")[0].rstrip("/") + AXE_ROUTE)
    results = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"""
    )
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / f"axe-{name}.json").write_text(json.dumps(results["violations"], indent=1))
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results["violations"]
        if v["impact"] in ("critical", "serious")
    ]


@pytest.mark.parametrize("name, width, height", [("desktop", 1366, 800), ("phone", 390, 844)])
def test_axe_finds_no_critical_or_serious_violation_with_the_chat_open(browser, chat_page, name, width, height) -> None:
    assert AXE_SCRIPT.is_file(), "axe-core is missing: run `npm ci --prefix web`"
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.route("**" + AXE_ROUTE, lambda route: route.fulfill(path=str(AXE_SCRIPT), content_type="text/javascript"))
    page = open_page(browser, chat_page)
    page.locator(STARTERS).first.wait_for(timeout=WAIT_MS)
    assert run_axe(page, f"{name}-welcome") == []

    say(page, "i want to kill myself")
    page.locator(CRISIS_CARD).wait_for(timeout=WAIT_MS)
    page.locator(REPLY_BUTTONS, has_text="No, thank you").wait_for(timeout=WAIT_MS)
    assert run_axe(page, f"{name}-crisis") == []


def test_a_child_gets_the_child_line_and_plain_words_in_the_widget(browser, chat_page) -> None:
    """Issue 14: the reply for a child, as a child sees it (screenshot kept as an artefact)."""
    page = open_page(browser, chat_page)
    response_with(page, f"automated assistant of {practice_settings().practice.name}")
    say(page, "im 12 and my stepdad hits me with his belt when my mom is at work")
    first = response_with(page, "If you are not safe right now")
    child_line = practice_settings().crisis.lines_for("child_victim")[0]
    assert child_line.how in first.inner_text()
    response_with(page, "You are not in trouble", "not your fault")
    card = page.locator(CRISIS_CARD).last
    card.wait_for(timeout=WAIT_MS)
    assert child_line.name in card.inner_text()
    screenshot(page, "child-reply")
