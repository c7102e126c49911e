"""In a real browser (Debian's Chromium, headless, driven by Playwright): a clinician filters to
escalated conversations, opens one, acknowledges it; an admin sees that in the audit log; and
the client's `<script>` never runs.

Never skipped: without /usr/bin/chromium this test fails and says how to install it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.review.conftest import ADMIN, CLINICIAN, XSS_TEXT, Scratch
from tests.review.support import Say, risk_of
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS


def sign_in(page, base_url: str, account: tuple) -> None:
    page.goto(base_url + "/login")
    page.fill("#name", account[0])
    page.fill("#password", account[1])
    page.click("button[type=submit]")
    page.wait_for_url(base_url + "/conversations")


def test_clinician_acknowledges_in_a_browser_and_no_script_runs(
    review_server, scratch: Scratch, tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Debian's Chromium is missing at {CHROMIUM}: install it with `apt-get install -y chromium` "
            "(the browser test never downloads a browser of its own).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    risky = XSS_TEXT + " I want to end my life"
    scratch.write(
        "c-browser",
        [
            Say(
                risky,
                intent="risk_self_harm",
                risk=risk_of(risky, "self_harm", "end my life"),
                slots={"escalated": True, "risk_category": "self_harm"},
            )
        ],
        days=0.05,
    )
    escalation_id = scratch.escalate("c-browser", "self_harm", days=0.05)
    base = review_server.url
    blocked_scripts = []

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = context.new_page()
            page.on("console", lambda message: blocked_scripts.append(message.text))
            # The check can see a script that runs: on a blank page it does.
            page.set_content("<script>window.__pwned = 'control'</script>")
            assert page.evaluate("window.__pwned") == "control"

            sign_in(page, base, CLINICIAN)
            page.select_option("#escalated", "yes")
            page.click(".filters button[type=submit]")
            page.wait_for_url("**/conversations?*escalated=yes*")
            page.click("a[href='/conversations/c-browser']")
            page.wait_for_url(base + "/conversations/c-browser")

            assert page.evaluate("window.__pwned") is None
            # The only script is the app's own file; no client text became an element.
            scripts = page.locator("script").evaluate_all("nodes => nodes.map(node => node.getAttribute('src'))")
            assert scripts == ["/static/review.js"] and page.locator("main img").count() == 0
            shown = page.locator("ol.transcript li.client p.text").first.inner_text()
            assert "<script>window.__pwned = 1</script>" in shown and 'onerror="window.__pwned = 2"' in shown
            assert page.locator("mark.evidence").first.inner_text() == "end my life"

            page.click(f"#escalation-{escalation_id} form[action$='/acknowledge'] button")
            page.locator(f"#escalation-{escalation_id}.status-acknowledged").wait_for(timeout=10_000)
            assert page.url == base + "/conversations/c-browser"  # in place
            assert page.get_by_text("Acknowledged by cleo-clinician after").is_visible()
            assert page.evaluate("window.__pwned") is None
            page.click("header form.account button")
            page.wait_for_url(base + "/login")

            sign_in(page, base, ADMIN)
            page.goto(base + "/admin/audit?action=acknowledge&target=c-browser")
            row = page.locator("table.audit tbody tr").first
            assert "cleo-clinician" in row.inner_text() and "acknowledge" in row.inner_text()
            assert escalation_id in row.inner_text()
            page.screenshot(path=str(tmp_path / "audit.png"), full_page=True)
        finally:
            context.close()

    assert scratch.outbox.escalation(escalation_id).acknowledged_by == "cleo-clinician"
