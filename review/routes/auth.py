"""Signing in and out.

The login form has its own CSRF token (double-submit: a cookie and a hidden field that must
match), since there is no session yet to hold one. Wrong passwords and refused attempts are
audited under the name that was typed; attempts are throttled per client address (see
review/storage/account_store.py), never by locking an account.
"""

from __future__ import annotations

import asyncio
import hmac
import re
import secrets
from datetime import datetime, timezone

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from review.storage import audit
from review.storage.sessions import COOKIE_NAME
from review.web.guard import (
    CSRF_FIELD,
    clear_cookie,
    client_address,
    cookies_secure,
    is_local_path,
    public,
    set_cookie,
)
from review.web.render import page

LOGIN_CSRF_COOKIE = "review_login_csrf"
# The login form's token is kept while its cookie lives, so two tabs (or a browser that loads
# the page twice) do not invalidate each other.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
HOME = "/conversations"


def _next(target: object) -> str:
    return str(target) if is_local_path(str(target or "")) else HOME


def _login_page(request: Request, status: int = 200, error: str = "", name: str = "") -> HTTPResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not TOKEN_PATTERN.match(token):
        token = secrets.token_urlsafe(32)
    response = page(
        request,
        "login.html",
        status=status,
        login_csrf=token,
        error=error,
        name=name,
        next=_next(request.form.get("next") if request.method == "POST" else request.args.get("next")),
    )
    set_cookie(response, LOGIN_CSRF_COOKIE, token, cookies_secure(request), max_age=3600)
    return response


def blueprint() -> Blueprint:
    bp = Blueprint("auth")

    @bp.get("/login")
    @public
    async def login_form(request: Request) -> HTTPResponse:
        if request.ctx.session is not None:
            return redirect(_next(request.args.get("next")), status=303)
        return _login_page(request)

    @bp.post("/login")
    @public
    async def login(request: Request) -> HTTPResponse:
        services = request.app.ctx.services
        expected = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
        supplied = str(request.form.get(CSRF_FIELD) or "")
        if not expected or not supplied or not hmac.compare_digest(expected, supplied):
            return page(
                request,
                "error.html",
                status=403,
                title="Form expired",
                message="The sign-in form had expired. Go back, reload it and try again.",
            )
        name = str(request.form.get("name") or "").strip()[:64]
        password = str(request.form.get("password") or "")[:1024]
        address = client_address(request)
        result = await asyncio.to_thread(services.accounts.authenticate, name, password, address)
        if result.ok:
            account = result.account
            token, _ = services.sessions.start(account)
            services.audit.record(account.name, audit.LOGIN, account.name, f"role {account.role}", address)
            response = redirect(_next(request.form.get("next")), status=303)
            set_cookie(response, COOKIE_NAME, token, cookies_secure(request))
            clear_cookie(response, LOGIN_CSRF_COOKIE, cookies_secure(request))
            return response
        if result.retry_at is not None:
            services.audit.record(
                name or "(blank)", audit.LOGIN_LOCKED, name, "sign-in refused: address must wait", address
            )
            until = result.retry_at.astimezone(services.zone).strftime("%H:%M:%S")
            error = f"Too many failed sign-ins from this address. Try again after {until} ({services.zone.key})."
            response = _login_page(request, status=429, error=error, name=name)
            response.headers["Retry-After"] = str(
                max(1, int((result.retry_at - datetime.now(timezone.utc)).total_seconds()) + 1)
            )
            return response
        services.audit.record(name or "(blank)", audit.LOGIN_FAILED, name, "wrong name or password", address)
        return _login_page(request, status=401, error="Wrong name or password.", name=name)

    @bp.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        services = request.app.ctx.services
        services.sessions.end(request.cookies.get(COOKIE_NAME))
        account = request.ctx.session.account
        services.audit.record(account.name, audit.LOGOUT, account.name, "", client_address(request))
        response = redirect("/login", status=303)
        clear_cookie(response, COOKIE_NAME, cookies_secure(request))
        return response

    return bp
