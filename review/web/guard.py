"""Who may reach which route, CSRF on every form, and the security headers on every response.

Deny by default: a route is for signed-in accounts unless its handler is marked `@public`
(only the login form and the style sheet are), and `@admin_only` routes also need the admin
role. Every request that can change something (anything but GET/HEAD) must carry the
session's CSRF token in its form.
"""

from __future__ import annotations

import hmac
from typing import Any, Callable, Optional, TypeVar
from urllib.parse import quote

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from review.sessions import COOKIE_NAME
from review.web.render import page

PUBLIC = "public"
ACCOUNT = "account"
ADMIN = "admin"
SAFE_METHODS = frozenset(("GET", "HEAD"))
CSRF_FIELD = "csrf_token"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}

Handler = TypeVar("Handler", bound=Callable[..., Any])


def public(handler: Handler) -> Handler:
    """Mark a route as reachable without signing in."""
    handler.review_access = PUBLIC  # type: ignore[attr-defined]
    return handler


def admin_only(handler: Handler) -> Handler:
    """Mark a route as reachable by admins only."""
    handler.review_access = ADMIN  # type: ignore[attr-defined]
    return handler


def access_of(handler: Any) -> str:
    return getattr(handler, "review_access", ACCOUNT)


def is_local_path(target: Optional[str]) -> bool:
    """Only same-site paths may be redirect targets (no `//host`, no scheme, no backslash tricks)."""
    return bool(target) and target.startswith("/") and not target.startswith("//") and "\\" not in target  # type: ignore[union-attr]


def csrf_ok(request: Request, expected: str) -> bool:
    supplied = request.form.get(CSRF_FIELD) if request.form else None
    return bool(supplied) and bool(expected) and hmac.compare_digest(str(supplied), expected)


def client_address(request: Request) -> str:
    return str(request.ip or "")


async def authenticate(request: Request) -> Optional[HTTPResponse]:
    """Attach the session (if any) and refuse what this request may not do."""
    services = request.app.ctx.services
    request.ctx.session = services.sessions.find(request.cookies.get(COOKIE_NAME))
    route = getattr(request, "route", None)
    access = access_of(route.handler if route else None)
    if access == PUBLIC:
        return None
    session = request.ctx.session
    if session is None:
        if request.method in SAFE_METHODS:
            target = request.path + (f"?{request.query_string}" if request.query_string else "")
            return redirect(f"/login?next={quote(target, safe='')}", status=303)
        return page(request, "error.html", status=401, title="Sign in first", message="You are not signed in.")
    if access == ADMIN and session.account.role != "admin":
        return page(request, "error.html", status=403, title="Not allowed", message="This page is for admins.")
    if request.method not in SAFE_METHODS and not csrf_ok(request, session.csrf_token):
        return page(
            request,
            "error.html",
            status=403,
            title="Form expired",
            message="This form was not sent from this site's page or has expired. Go back, reload and try again.",
        )
    return None


async def security_headers(request: Request, response: HTTPResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", "no-store")
    if response.headers.get("Cache-Control") == "no-store":
        response.headers.setdefault("Pragma", "no-cache")


def install(app: Sanic) -> None:
    app.register_middleware(authenticate, "request")
    app.register_middleware(security_headers, "response")


def set_cookie(response: HTTPResponse, name: str, value: str, secure: bool, max_age: Optional[int] = None) -> None:
    """An HttpOnly, SameSite=Strict cookie for the whole site."""
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    if secure:
        cookie["secure"] = True
    if max_age is not None:
        cookie["max-age"] = max_age


def clear_cookie(response: HTTPResponse, name: str, secure: bool) -> None:
    set_cookie(response, name, "", secure, max_age=0)
