"""The page server: what it serves, with which headers, and nothing else (no browser needed)."""

from __future__ import annotations

import html
import json
import re
import threading
import urllib.error
import urllib.request
from typing import Dict, Iterator, Tuple

import pytest

from confidant import web_page
from confidant.settings import current_settings
from tests.support.practice_file import crisis_links, practice_call_link
from tests.support.receivers import free_port

RASA_URL = "http://localhost:5005"


@pytest.fixture(scope="module")
def page_server() -> Iterator[str]:
    port = free_port()
    server = web_page.make_server("127.0.0.1", port, RASA_URL)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def get(url: str, method: str = "GET") -> Tuple[int, Dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_page_names_the_practice_and_its_crisis_lines(page_server, practice) -> None:
    status, headers, body = get(page_server + "/")
    page = body.decode()
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert practice.practice.name in page and "{{" not in page
    banner = re.search(r'<footer id="crisis-banner".*?</footer>', page, re.S).group(0)
    assert "role=" not in banner  # a footer is the page's contentinfo landmark, not a note
    assert 'id="quick-exit"' in page
    config = json.loads(re.search(r'id="confidant-config">(.*?)</script>', page).group(1))
    assert config == {
        "socketUrl": RASA_URL,
        "socketPath": "/socket.io/",
        "title": practice.practice.name,
        "subtitle": "Automated assistant: questions about confidentiality",
        "starters": [
            "What does confidentiality mean in therapy?",
            "Is there anything you can't keep private?",
            "Will you tell my parents what I say?",
            "Who can read this chat?",
        ],
    }


def footer_links(page: str) -> dict:
    banner = re.search(r'<footer id="crisis-banner".*?</footer>', page, re.S).group(0)
    return {
        html.unescape(re.sub(r"<[^>]+>", "", label)).strip(): html.unescape(href)
        for href, label in re.findall(r'<a class="crisis-button[^"]*" href="([^"]+)">(.*?)</a>', banner, re.S)
    }


def test_the_footer_calls_and_texts_every_number_from_practice_yml(page_server, practice) -> None:
    _, _, body = get(page_server + "/")
    expected = dict(crisis_links(practice, "general") + [practice_call_link(practice)])
    assert len(expected) >= 4 and footer_links(body.decode()) == expected
    # Numbers are kept whole: a phone number never breaks at its hyphen.
    assert f'<span class="crisis-number">{html.escape(practice.practice.phone)}</span>' in body.decode()


def test_starter_questions_are_the_asks_of_the_faq_answers_in_the_domain(tmp_path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text(
        "responses:\n"
        "  utter_faq/a:\n"
        "    - text: web\n      metadata: {ask: 'First question?'}\n"
        "    - text: sms\n      channel: sms\n      metadata: {ask: 'Not this one'}\n"
        "  utter_faq/b:\n"
        "    - text: web\n      metadata: {label: no ask}\n"
    )
    assert web_page.starter_questions(domain, ("a",)) == ["First question?"]
    with pytest.raises(ValueError, match="'b'.*metadata.ask"):
        web_page.starter_questions(domain, ("b",))
    with pytest.raises(ValueError, match="'c'"):
        web_page.starter_questions(domain, ("c",))


def test_the_page_is_not_cached_and_may_talk_only_to_rasa(page_server) -> None:
    _, headers, _ = get(page_server + "/")
    assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "connect-src http://localhost:5005 ws://localhost:5005" in csp
    assert "https:" not in csp.replace("https://", "")  # no scheme-wide sources


def test_the_widget_is_served_from_here_without_its_third_party_font(page_server) -> None:
    status, headers, body = get(page_server + web_page.WIDGET_ROUTE)
    assert status == 200, "the widget is missing: run `npm ci --prefix web`"
    assert headers["Content-Type"].startswith("text/javascript")
    assert b"WebChat" in body and b"fonts.googleapis.com" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/package.json",
        "/package-lock.json",
        "/.npmrc",
        "/node_modules/rasa-webchat/package.json",
        "/node_modules/rasa-webchat/lib/index.js",
        "/../practice.yml",
        "/%2e%2e/practice.yml",
        "/web/index.html",
        "/node_modules/axe-core/axe.min.js",
        "/vendor/axe.min.js",
        "/favicon.ico",
    ],
)
def test_nothing_else_is_served(page_server, path) -> None:
    status, _, _ = get(page_server + path)
    assert status == 404


@pytest.mark.parametrize("path", ["/chat.js", "/crisis_card.js", "/widget_access.js", "/chat.css"])
def test_the_page_scripts_and_styles_are_served(page_server, path) -> None:
    status, _, body = get(page_server + path)
    assert status == 200 and len(body) > 100


def test_head_answers_like_get_without_a_body(page_server) -> None:
    status, headers, body = get(page_server + "/chat.js", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


def test_practice_details_cannot_break_out_of_the_page() -> None:
    settings = current_settings()
    hostile = settings.copy(update={"practice": settings.practice.copy(update={"name": "</script><b>Evil & Co"})})
    template = (web_page.WEB_ROOT / "index.html").read_text()
    page = web_page.render_page(template, hostile, "http://localhost:5005/</script>")
    assert "</script><b>" not in page
    assert "&lt;/script&gt;&lt;b&gt;Evil &amp; Co" in page
    config = re.search(r'id="confidant-config">(.*?)</script>', page).group(1)
    assert json.loads(config)["title"] == "</script><b>Evil & Co"


def test_the_csp_uses_secure_websockets_for_an_https_rasa() -> None:
    assert "connect-src https://chat.example:443 wss://chat.example:443" in web_page.content_security_policy(
        "https://chat.example:443"
    )


def test_a_missing_widget_is_reported_not_fatal(tmp_path) -> None:
    assert web_page.widget_bundle(tmp_path / "missing.js") is None
