"""The operators' port (METRICS_PORT): /metrics, /healthz and /readyz, in both modes.

Separate from the webhook's public port, so Prometheus and the container's health check reach
the bot however Telegram does, and nothing about the bot is published to the internet.

- `/metrics`: prometheus_client's text format; the outbox backlog is read from the database
  at each scrape.
- `/healthz` (liveness): 200 while the loops that must keep going round (the poller in polling
  mode, the sender's sweep) have beaten within their limit; 503 naming the stuck one. It
  never touches the database: a slow database is not a reason to restart the bot.
- `/readyz` (readiness): 200 when the database answers and its migrations are current.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable

import uvicorn
from prometheus_client.exposition import choose_encoder
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.coach.service import CoachService
from bot.telegram.blocking import DatabaseThread
from bot.telegram.metrics import Metrics
from storage.database import is_current

log = logging.getLogger(__name__)

CHANNEL = "telegram"


def readiness(
    service: CoachService, db: DatabaseThread
) -> Callable[[Request], Awaitable[Response]]:
    """`/readyz`: 200 when the database answers and its migrations are current, else 503 (the
    operators' port and the webhook listener answer it alike)."""

    async def readyz(request: Request) -> Response:
        try:
            ready = await db(is_current, service.engine)
        except Exception:
            log.warning("readiness check failed", exc_info=True)
            ready = False
        status = 200 if ready else 503
        return JSONResponse({"database": "ready" if ready else "not ready"}, status_code=status)

    return readyz


def build_operator_app(
    service: CoachService, db: DatabaseThread, metrics: Metrics, limits: dict[str, float]
) -> Starlette:
    """`limits`: each watched loop's name and the seconds without a beat that mean stuck."""

    async def exposition(request: Request) -> Response:
        try:
            metrics.outbox_pending.set(await db(service.outbox_backlog, CHANNEL))
        except Exception:
            log.warning("outbox backlog not read for the metrics", exc_info=True)
        # The format the scraper asks for (Prometheus's text format, or OpenMetrics).
        encode, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encode(metrics.registry), headers={"Content-Type": content_type})

    async def healthz(request: Request) -> Response:
        stuck = metrics.stale(limits)
        if stuck:
            return JSONResponse({"status": "stuck", "loops": stuck}, status_code=503)
        return JSONResponse({"status": "alive"})

    readyz = readiness(service, db)

    return Starlette(
        routes=[
            Route("/metrics", exposition, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ]
    )


def operator_server(app: Starlette, host: str, port: int) -> uvicorn.Server:
    """A uvicorn server for `app` on the same event loop as the bot (started by the caller).
    Its signal handlers are the bot's: only `should_exit` stops it."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    return server
