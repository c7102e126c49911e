"""Every review page in Debian's Chromium at 1280 px and on a phone (390 x 844): nothing runs off
the screen, axe-core finds no critical or serious violation, the queue fits several escalations
on a screen, its actions stay in place and confirm, the open-alert count follows new alerts
without a reload, and all of it works from the keyboard.

axe-core comes from npm (web/package.json, installed by `make install` for the chat's browser
tests too) and is handed to the page at a path of the app's own
origin, so the app's Content-Security-Policy (script-src 'self') lets it run; nothing is fetched
from a CDN. Screenshots are kept in tests/review/test-results/ (not committed).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from tests.review.conftest import ADMIN, CLINICIAN, Scratch
from tests.review.support import ROOT, Say, risk_of
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

ARTEFACTS = Path(__file__).resolve().parent / "test-results"
AXE_CANDIDATES = (ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js",)
AXE_ROUTE = "/__test__/axe.min.js"
SCREENS = {"desktop": (1280, 800), "phone": (390, 844)}
PAGES = [
    ("conversations", "/conversations"),
    ("transcript", "/conversations/c-risk-open"),
    ("transcript-details", "/conversations/c-risk-open?details=1"),
    ("escalations", "/escalations"),
    ("escalations-all", "/escalations?status=all"),
    ("insights", "/insights"),
    ("audit", "/admin/audit"),
    ("accounts", "/admin/accounts"),
]


def axe_script() -> Path:
    for candidate in AXE_CANDIDATES:
        if candidate.is_file():
            return candidate
    pytest.fail("axe-core is missing: run `make install` (npm ci --prefix web).", pytrace=False)


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium (Debian's package).", pytrace=False
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture
def browser(driver: Any, review_server: Any, tmp_path: Path) -> Iterator[Any]:
    """Chromium with a fresh profile; requests that leave the review app are refused and recorded."""
    context = driver.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    outside: List[str] = []
    script = axe_script().read_bytes()

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url == review_server.url + AXE_ROUTE:
            request_route.fulfill(status=200, content_type="text/javascript", body=script)
        elif url.startswith(review_server.url):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    context.route("**/*", route)
    context.outside_requests = outside  # type: ignore[attr-defined]
    yield context
    context.close()


def new_page(browser: Any, width: int, height: int) -> Any:
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.console_messages = []  # type: ignore[attr-defined]
    page.on("console", lambda message: page.console_messages.append(message.text))
    return page


def sign_in(page: Any, base: str, account: tuple) -> None:
    page.goto(base + "/login")
    page.fill("#name", account[0])
    page.fill("#password", account[1])
    page.click("button[type=submit]")
    page.wait_for_url(base + "/conversations")


def screenshot(page: Any, name: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def run_axe(page: Any, base: str, name: str) -> List[Dict[str, Any]]:
    """axe-core's critical and serious violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=base + AXE_ROUTE)
    results = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"""
    )
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / f"axe-{name}.json").write_text(json.dumps(results["violations"], indent=1))
    return [
        {"id": item["id"], "impact": item["impact"], "nodes": [node["target"] for node in item["nodes"]][:5]}
        for item in results["violations"]
        if item["impact"] in ("critical", "serious")
    ]


def overflow(page: Any) -> Dict[str, float]:
    """How far the page is wider than the screen (0: nothing to scroll sideways), and the culprits."""
    return page.evaluate(
        """() => ({excess: document.documentElement.scrollWidth - window.innerWidth,
                   wide: Array.from(document.querySelectorAll('main *')).filter(
                     node => node.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5)
                     .map(node => node.tagName + '.' + node.className)})"""
    )


@pytest.mark.parametrize("screen", list(SCREENS), ids=list(SCREENS))
def test_every_page_fits_the_screen_and_has_no_serious_accessibility_problem(
    browser: Any, review_server: Any, scratch: Scratch, screen: str
) -> None:
    width, height = SCREENS[screen]
    base = review_server.url
    page = new_page(browser, width, height)
    page.goto(base + "/login")
    assert run_axe(page, base, f"{screen}-login") == []
    screenshot(page, f"{screen}-login")
    sign_in(page, base, ADMIN)
    problems = {}
    for name, path in PAGES:
        page.goto(base + path)
        page.wait_for_load_state("load")
        screenshot(page, f"{screen}-{name}")
        found = run_axe(page, base, f"{screen}-{name}")
        if found:
            problems[name] = found
        wide = overflow(page)
        assert wide["excess"] <= 0, f"{name} at {width} px runs {wide['excess']} px off the screen: {wide['wide']}"
    assert problems == {}
    if screen == "desktop":
        # The list's last column (risk and escalation) is on the screen at 1280 px.
        page.goto(base + "/conversations")
        right = page.locator("table.conversations th.col-risk").evaluate("node => node.getBoundingClientRect().right")
        assert right <= width
    assert browser.outside_requests == []
    assert not [text for text in page.console_messages if "Content Security Policy" in text]


def risky(scratch: Scratch, sender: str, text: str, words: str, days: float) -> str:
    """A risk conversation and its escalation, written as Rasa would (in a thread of its own:
    Rasa's store runs its own event loop, and Playwright's is running here)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_risky, scratch, sender, text, words, days).result()


def _risky(scratch: Scratch, sender: str, text: str, words: str, days: float) -> str:
    scratch.write(
        sender,
        [
            Say(
                text,
                intent="risk_self_harm",
                risk={**risk_of(text, "self_harm", words), "writer": "self_at_risk", "writer_reason": "the writer"},
                slots={"escalated": True, "risk_category": "self_harm"},
            )
        ],
        days=days,
    )
    return scratch.escalate(sender, "self_harm", days=days)


def nav_count(page: Any) -> int:
    return int(page.locator("#alert-count .n").inner_text())


def test_the_queue_fits_several_alerts_and_acts_in_place_from_the_keyboard(
    browser: Any, review_server: Any, scratch: Scratch
) -> None:
    ids = [
        risky(scratch, f"b-queue-{n}", f"tonight I want to end my life, sorry {n}", "end my life", 0.01 + n / 1000)
        for n in range(6)
    ]
    base = review_server.url
    page = new_page(browser, *SCREENS["desktop"])
    sign_in(page, base, CLINICIAN)
    page.goto(base + "/escalations?status=open")
    tops = page.locator("article.qrow").evaluate_all("rows => rows.map(row => row.getBoundingClientRect().bottom)")
    assert sum(1 for bottom in tops if bottom <= 800) >= 4, tops
    screenshot(page, "desktop-queue-open")

    # Acknowledge the fourth row from the keyboard: the page stays where it is and says so.
    target = ids[2]
    row = page.locator(f"#escalation-{target}")
    row.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    before = nav_count(page)
    button = row.locator("form[action$='/acknowledge'] button")
    button.focus()
    outline = button.evaluate("node => getComputedStyle(node).outlineStyle")
    assert outline != "none"  # a visible focus
    page.keyboard.press("Enter")
    page.locator(f"#escalation-{target}.status-acknowledged").wait_for(timeout=10_000)
    assert page.url == base + "/escalations?status=open"
    assert abs(page.evaluate("window.scrollY") - scrolled) < 50
    message = page.locator(f"#escalation-{target} .row-message")
    assert message.is_visible() and message.inner_text().startswith("Acknowledged")
    assert page.evaluate("document.activeElement.id") == f"escalation-{target}"
    assert nav_count(page) == before - 1
    assert scratch.outbox.escalation(target).acknowledged_by == "cleo-clinician"

    # Resolving asks for a confirmation first; then it can be reopened.
    summary = page.locator(f"#escalation-{target} details.confirm summary")
    summary.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("Spoke to the client, safe tonight")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator(f"#escalation-{target}.status-resolved").wait_for(timeout=10_000)
    assert "Marked resolved" in page.locator(f"#escalation-{target} .row-message").inner_text()
    assert page.locator(f"#escalation-{target} form[action$='/reopen']").count() == 1
    screenshot(page, "desktop-queue-after-actions")

    # An unacknowledged one cannot be resolved without a reason: the browser keeps the form.
    other = page.locator(f"#escalation-{ids[0]}")
    other.locator("details.confirm summary").click()
    other.locator("form[action$='/resolve'] button").click()
    assert other.locator("textarea[name=reason]").evaluate("node => node.validity.valueMissing")
    assert scratch.outbox.escalation(ids[0]).acknowledged_at is None


def test_the_open_alert_count_follows_new_alerts_without_a_reload(
    browser: Any, review_server: Any, scratch: Scratch
) -> None:
    base = review_server.url
    page = new_page(browser, *SCREENS["phone"])
    sign_in(page, base, CLINICIAN)
    before = nav_count(page)
    page.evaluate("window.__same_page = true")
    risky(scratch, "b-live-1", "I want to end my life tonight", "end my life", 0.001)
    from playwright.sync_api import expect

    expect(page.locator("#alert-count .n")).to_have_text(str(before + 1), timeout=15_000)
    assert page.evaluate("window.__same_page") is True  # no reload
    assert page.title().startswith(f"({before + 1}) ")
    expect(page.locator("#live-status")).to_contain_text("New escalation", timeout=5_000)  # said, politely

    page.goto(base + "/escalations?status=open")
    page.evaluate("window.__same_page = true")
    new_id = risky(scratch, "b-live-2", "I want to end my life now", "end my life", 0.0005)
    page.locator(f"#escalation-{new_id}").wait_for(timeout=15_000)
    assert page.evaluate("window.__same_page") is True
    # The status tabs wrap on a phone instead of running off the screen.
    assert overflow(page)["excess"] <= 0
    screenshot(page, "phone-queue-live")


def test_a_new_appointment_request_is_counted_and_said_without_a_reload(
    browser: Any, review_server: Any, scratch: Scratch
) -> None:
    """A screen-reader user hears that a request came in, as they hear a new escalation."""
    from playwright.sync_api import expect

    from tests.review.routes.test_appointments import sent_request

    page = new_page(browser, *SCREENS["desktop"])
    sign_in(page, review_server.url, CLINICIAN)
    before = int(page.locator("#appointment-count").get_attribute("data-new") or "0")
    page.evaluate("window.__same_page = true")
    with ThreadPoolExecutor(1) as pool:  # Rasa's store runs its own event loop; Playwright's runs here
        pool.submit(sent_request, scratch, "b-appointment-live").result()
    expect(page.locator("#appointment-count .n")).to_have_text(str(before + 1), timeout=15_000)
    assert page.evaluate("window.__same_page") is True  # no reload
    expect(page.locator("#live-status")).to_contain_text("New appointment request", timeout=5_000)


def test_a_keyboard_reaches_the_content_first(browser: Any, review_server: Any) -> None:
    base = review_server.url
    page = new_page(browser, *SCREENS["desktop"])
    sign_in(page, base, CLINICIAN)
    page.goto(base + "/escalations")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused
