"""`python -m review.app --port 8090`: the clinicians' review web app (Sanic, loopback by default).

CONFIDANT_DATABASE_URL      tracker store (privileged: erasure and retention)
CONFIDANT_REVIEW_READ_URL   tracker store for reading transcripts (default: the above)
CONFIDANT_REVIEW_DB_URL     accounts, sessions, audit log, notes (default: var/review.sqlite3)
CONFIDANT_OUTBOX_PATH, CONFIDANT_CONTACT_VAULT_PATH, CONFIDANT_CONTACT_KEY   as for the assistant
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any, Optional, Sequence

from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from review.cli.retention import run_on_schedule
from review.config import DEFAULT_PORT, ReviewConfig
from review.routes import (
    admin,
    appointments,
    assets,
    auth,
    conversations,
    deletion,
    escalations,
    exports,
    insights,
)
from review.services import Services, build_services
from review.web import guard
from review.web.render import make_templates, page

logger = logging.getLogger(__name__)
FEATURES = (auth, conversations, escalations, appointments, exports, deletion, insights, admin, assets)


def create_app(config: Optional[ReviewConfig] = None, name: str = "confidant_review") -> Sanic:
    """The app with every route, its guard, and (unless the interval is 0) the retention schedule."""
    services = build_services(config or ReviewConfig.from_env())
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.FALLBACK_ERROR_FORMAT = "html"
    app.ctx.services = services
    app.ctx.templates = make_templates(services.zone)
    guard.install(app)
    for feature in FEATURES:
        app.blueprint(feature.blueprint())
    app.error_handler.add(SanicException, _error_page)
    app.error_handler.add(Exception, _server_error)
    if services.config.retention_interval_seconds > 0:
        _schedule_retention(app, services)
    return app


def _error_page(request: Request, exception: SanicException) -> HTTPResponse:
    status = getattr(exception, "status_code", 500) or 500
    titles = {404: "Not found", 405: "Not allowed", 413: "Too large"}
    return page(
        request,
        "error.html",
        status=status,
        title=titles.get(status, "Something went wrong"),
        message=str(exception) if status < 500 else "The server could not answer this request.",
    )


def _server_error(request: Request, exception: Exception) -> HTTPResponse:
    logger.exception("Unhandled error on %s %s", request.method, request.path, exc_info=exception)
    return page(
        request,
        "error.html",
        status=500,
        title="Something went wrong",
        message="The server could not answer this request. It has been logged.",
    )


def _schedule_retention(app: Sanic, services: Services) -> None:
    # register_listener rather than the @app.listener(event) decorator, whose sanic 21.12
    # annotation says it returns a listener instead of a decorator.
    async def start_retention(app: Sanic, _loop: Any) -> None:
        app.ctx.retention_task = asyncio.get_running_loop().create_task(
            run_on_schedule(services, services.config.retention_interval_seconds)
        )

    async def stop_retention(app: Sanic, _loop: Any) -> None:
        task = getattr(app.ctx, "retention_task", None)
        if task is not None:
            task.cancel()

    app.register_listener(start_retention, "after_server_start")
    app.register_listener(stop_retention, "before_server_stop")


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    app.config.MOTD = False
    # No access log: URLs carry conversation ids and search terms.
    app.run(host=args.host, port=args.port, access_log=False, debug=False, workers=1)


if __name__ == "__main__":
    main()
