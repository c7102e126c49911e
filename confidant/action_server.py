"""The action server, as this project runs it.

rasa_sdk's own `run` listens on every interface, accepts calls from anyone, and answers an
action error with the whole tracker in the response body. This entry point keeps its action
executor but listens on loopback by default, accepts only calls that carry the shared secret
Rasa sends, answers errors without echoing anything, and runs the outbox dispatcher that
delivers escalation notifications in the background.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import logging
import os
from typing import Any, Optional

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from confidant.notify.dispatcher import Dispatcher
from confidant.notify.outbox import default_outbox
from confidant.notify.payloads import escalation_payload, volume_alert
from confidant.notify.reconciler import EscalationReconciler
from confidant.rasa_internals.version import UntestedRasaError, check_rasa_version
from confidant.settings import SettingsError, current_settings

logger = logging.getLogger("confidant.action_server")

SECRET_ENV_VAR = "CONFIDANT_ACTION_SECRET"
SECRET_HEADER = "X-Confidant-Action-Secret"
PUBLIC_PATHS = frozenset({"/health"})


def build_app(secret: str, dispatch_interval: float = 2.0) -> Sanic:
    """The rasa_sdk app with our guard, error handler and outbox dispatcher attached."""
    settings = current_settings()
    app = create_app("actions", cors_origins=None)
    reconciler = EscalationReconciler(
        default_outbox(),
        [notifier.name for notifier in settings.escalation.notifiers],
        lambda escalation: escalation_payload(settings, escalation),
        volume=volume_alert(settings),
    )
    dispatcher = Dispatcher(default_outbox(), settings, reconciler)
    for problem in dispatcher.configuration_problems():
        logger.warning(problem)

    @app.middleware("request")
    async def require_secret(request: Request) -> Optional[HTTPResponse]:
        if request.path in PUBLIC_PATHS:
            return None
        offered = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(offered.encode(), secret.encode()):
            return response.json({"error": "forbidden"}, status=403)
        return None

    async def action_failed(request: Request, exception: Exception) -> HTTPResponse:
        # Name the failure, never the tracker: it holds the client's words.
        logger.error("Action call failed: %s", type(exception).__name__)
        return response.json({"error": "action failed"}, status=500)

    app.error_handler.add(Exception, action_failed)

    stop = asyncio.Event()

    @app.listener("after_server_start")
    async def start_dispatcher(app_: Sanic, _: Any) -> None:
        app_.ctx.dispatcher_task = asyncio.ensure_future(dispatcher.run_forever(dispatch_interval, stop))

    @app.listener("before_server_stop")
    async def stop_dispatcher(app_: Sanic, _: Any) -> None:
        stop.set()
        await app_.ctx.dispatcher_task

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("CONFIDANT_ACTION_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CONFIDANT_ACTION_PORT", "5055")))
    parser.add_argument("--dispatch-interval", type=float, default=2.0)
    args = parser.parse_args()
    logging.basicConfig(
        level=os.environ.get("CONFIDANT_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        # It reads Rasa's events table (the reconciler): only as the tested Rasa writes it.
        check_rasa_version()
    except UntestedRasaError as error:
        raise SystemExit(str(error)) from None
    secret = os.environ.get(SECRET_ENV_VAR)
    if not secret:
        raise SystemExit(f"{SECRET_ENV_VAR} is not set: the action server only takes calls from Rasa.")
    try:
        app = build_app(secret, args.dispatch_interval)
    except SettingsError as error:
        raise SystemExit(str(error)) from None
    logger.info("Action server on http://%s:%s", args.host, args.port)
    app.run(host=args.host, port=args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
