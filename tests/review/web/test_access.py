"""Nobody without an account sees anything; clinicians don't reach admin pages; forms need CSRF.

Routes are enumerated from the app itself, so a route added later is covered without
touching this file; path parameters are filled with real ids, so a route that forgot its
guard would answer with real data and fail here.
"""

from __future__ import annotations

import http.cookiejar
import re
from typing import Dict, Iterator, List, Tuple

import pytest

from review.app import create_app
from review.config import ReviewConfig
from review.web import guard
from tests.review.conftest import ADMIN, CLINICIAN, Scratch
from tests.review.support import Client

PUBLIC_ROUTES = {("GET", "/login"), ("POST", "/login"), ("GET", "/static/review.css")}
ADMIN_PAGES = {"/admin/audit", "/admin/accounts"}


@pytest.fixture(scope="module")
def routes(scratch: Scratch) -> List[Tuple[str, str, str]]:
    """(method, concrete path, access) for every route of the app, path parameters filled in."""
    app = create_app(ReviewConfig.from_env(scratch.env), name="route_probe")
    values: Dict[str, str] = {
        "conversation_id": "c-risk-open",
        "escalation_id": scratch.escalations["c-risk-open"],
        "fmt": "json",
        "request_id": str(scratch.appointment_id),
    }
    found = []
    for route in app.router.routes:
        path = "/" + re.sub(r"<(\w+)(?::[^>]*)?>", lambda match: values[match.group(1)], route.path)
        for method in route.methods:
            found.append((method, path, guard.access_of(route.handler)))
    return sorted(found)


def refused(response) -> bool:
    if response.status == 303:
        return response.header("Location").startswith("/login?next=")
    return response.status in (401, 403)


def test_only_the_login_form_and_the_style_sheet_are_public(routes) -> None:
    assert {(method, path) for method, path, access in routes if access == guard.PUBLIC} == PUBLIC_ROUTES
    assert len(routes) >= 20


def test_every_route_refuses_an_unauthenticated_request(routes, anonymous: Client) -> None:
    for method, path, access in routes:
        if access == guard.PUBLIC:
            continue
        response = anonymous.request(method, path, {"csrf_token": "guess", "body": "x"} if method == "POST" else None)
        assert refused(response), (method, path, response.status)
        assert "c-risk-open" not in response.body and "end my life" not in response.body, (method, path)


def test_a_forged_or_stale_session_cookie_is_refused(anonymous: Client) -> None:
    anonymous.cookies.set_cookie(_cookie("review_session", "not-a-real-token"))
    assert refused(anonymous.get("/conversations"))


def _cookie(name: str, value: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {}
    )


def test_admin_routes_are_marked_admin(routes) -> None:
    admin_paths = {path for _, path, access in routes if access == guard.ADMIN}
    assert ADMIN_PAGES <= admin_paths
    assert "/conversations/c-risk-open/delete" in admin_paths


def test_a_clinician_cannot_reach_admin_pages(routes, clinician: Client) -> None:
    for method, path, access in routes:
        if access != guard.ADMIN:
            continue
        response = clinician.request(method, path, {"csrf_token": clinician.csrf} if method == "POST" else None)
        assert response.status == 403, (method, path, response.status)
    page = clinician.get("/conversations")
    assert "/admin/audit" not in page.body and "Audit log" not in page.body


def test_an_admin_reaches_admin_pages(admin: Client) -> None:
    for path in ADMIN_PAGES:
        assert admin.get(path).status == 200, path


def _post_routes(routes) -> Iterator[Tuple[str, str]]:
    for method, path, access in routes:
        if method == "POST" and access != guard.PUBLIC:
            yield method, path


def test_a_post_without_csrf_token_is_refused(routes, admin: Client, scratch: Scratch) -> None:
    for _, path in _post_routes(routes):
        response = admin.post(path, {"body": "a note", "reason": "test"}, csrf=False)
        assert response.status == 403, (path, response.status)
        wrong = admin.post(path, {"body": "a note", "csrf_token": "x" * 43}, csrf=False)
        assert wrong.status == 403, (path, wrong.status)
    assert scratch.outbox.escalation(scratch.escalations["c-risk-open"]).acknowledged_at is None
    assert admin.get("/conversations/c-risk-open").status == 200


def test_the_login_form_needs_its_csrf_token(anonymous: Client) -> None:
    response = anonymous.request("POST", "/login", {"name": ADMIN[0], "password": ADMIN[1]})
    assert response.status == 403
    assert "review_session" not in response.header("Set-Cookie")


def test_security_headers_on_every_page(admin: Client, anonymous: Client) -> None:
    for response in (
        admin.get("/conversations/c-risk-open"),
        admin.get("/conversations"),
        anonymous.get("/login"),
        admin.get("/no-such-page"),
    ):
        policy = response.header("Content-Security-Policy")
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        # Scripts only from the app itself (review.js): nothing inline, nothing evaluated, no other host.
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "script-src 'self';" in policy and "connect-src 'self';" in policy
        assert response.header("X-Frame-Options") == "DENY"
        assert response.header("X-Content-Type-Options") == "nosniff"
        assert response.header("Cache-Control") == "no-store"


def test_session_cookie_is_httponly_and_samesite_strict(review_server) -> None:
    client = Client(review_server.url)
    page = client.request("GET", "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.body).group(1)
    response = client.request("POST", "/login", {"csrf_token": token, "name": CLINICIAN[0], "password": CLINICIAN[1]})
    cookies = [value for name, value in response.headers.items() if name.lower() == "set-cookie"]
    session = next(cookie for cookie in cookies if cookie.startswith("review_session="))
    assert "HttpOnly" in session and "SameSite=Strict" in session and "Path=/" in session
    assert len(session.split(";")[0].split("=", 1)[1]) >= 40
