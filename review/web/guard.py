"""Who may reach which route, CSRF on every form, and the security headers on every response.

Deny by default: a route is for signed-in accounts unless its handler is marked `@public`
(only the login form and the style sheet are), and `@admin_only` routes also need the admin
role. Every request that can change something (anything but GET/HEAD) must carry the
session's CSRF token in its form.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any, Callable, Optional, Sequence, TypeVar
from urllib.parse import quote

from sanic import Sanic
from sanic.request import Request
from sanic.response import BaseHTTPResponse, HTTPResponse, redirect

from review.storage import audit
from review.storage.sessions import COOKIE_NAME
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

HSTS_SECONDS = 365 * 24 * 3600
# Pages whose every view is audited here, whatever the route does (no client id in their paths).
AUDITED_PAGES = (("/insights", audit.VIEW_INSIGHTS), ("/admin/", audit.VIEW_ADMIN))

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
    return target is not None and target.startswith("/") and not target.startswith("//") and "\\" not in target


def csrf_ok(request: Request, expected: str) -> bool:
    supplied = request.form.get(CSRF_FIELD) if request.form else None
    return bool(supplied) and bool(expected) and hmac.compare_digest(str(supplied), expected)


def _is_trusted(address: str, trusted: Sequence[Any]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted)


def client_address(request: Request) -> str:
    """The client's address: the peer's, or, behind a trusted proxy, the one the proxy chain saw.

    X-Forwarded-For is read right to left and the first hop that is not a trusted proxy is the
    client; anything to its left was written by the client itself and is ignored. A request not
    from a trusted proxy (CONFIDANT_REVIEW_TRUSTED_PROXIES) cannot name its own address.
    """
    peer = str(request.ip or "")
    trusted = request.app.ctx.services.config.trusted_proxies
    if not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a malformed hop: the chain cannot be believed past it
    return peer


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


def is_https(request: Request) -> bool:
    """The browser reached us over HTTPS: directly, or through a trusted proxy that says so."""
    if request.scheme == "https":
        return True
    trusted = request.app.ctx.services.config.trusted_proxies
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[-1].strip().lower()
    return proto == "https" and _is_trusted(str(request.ip or ""), trusted)


def cookies_secure(request: Request) -> bool:
    """Cookies are `Secure` behind HTTPS, and always when CONFIDANT_REVIEW_COOKIE_SECURE says so."""
    return request.app.ctx.services.config.cookie_secure or is_https(request)


async def security_headers(request: Request, response: BaseHTTPResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if cookies_secure(request):
        response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
    response.headers.setdefault("Cache-Control", "no-store")
    if response.headers.get("Cache-Control") == "no-store":
        response.headers.setdefault("Pragma", "no-cache")


async def audit_access(request: Request, response: BaseHTTPResponse) -> None:
    """Audit every refusal (403) and every view of the insights and admin pages."""
    session = getattr(request.ctx, "session", None)
    actor = session.account.name if session is not None else "(not signed in)"
    services = request.app.ctx.services
    if response.status == 403:
        route = getattr(request, "route", None)
        conversation_id = (request.match_info or {}).get("conversation_id")
        detail = f"{request.method} {route.name if route else request.path}: {response.status}"
        if conversation_id:
            detail += f"; {services.audit.conversation_ref(conversation_id)}"
        services.audit.record(actor, audit.REFUSED, "", detail, client_address(request))
        return
    if request.method == "GET" and response.status == 200 and session is not None:
        for prefix, action in AUDITED_PAGES:
            if request.path == prefix.rstrip("/") or request.path.startswith(prefix):
                services.audit.record(actor, action, request.path[:255], "", client_address(request))
                return


def install(app: Sanic) -> None:
    app.register_middleware(authenticate, "request")
    app.register_middleware(security_headers, "response")
    app.register_middleware(audit_access, "response")


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
