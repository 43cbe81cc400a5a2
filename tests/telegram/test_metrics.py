"""The operators' port: Prometheus metrics, liveness from heartbeats, readiness from the
database; served by real uvicorn on a real port (bot/telegram/operator_server.py)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from bot.coach.service import CoachService
from bot.engine.content import Content
from bot.telegram.blocking import DatabaseThread
from bot.telegram.metrics import Metrics
from bot.telegram.operator_server import build_operator_app, operator_server
from bot.telegram.sender import CHANNEL
from bot.wiring import coach_service
from storage.database import open_database


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(
    service: CoachService, metrics: Metrics, limits: dict[str, float]
) -> AsyncIterator[Callable[[str], Awaitable[httpx.Response]]]:
    db = DatabaseThread(1)
    port = free_port()
    server = operator_server(build_operator_app(service, db, metrics, limits), "127.0.0.1", port)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.01)

    async def get(path: str) -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.get(f"http://127.0.0.1:{port}{path}", timeout=5)

    try:
        yield get
    finally:
        server.should_exit = True
        await task
        db.close()


def sqlite_service(tmp_path: Path, content: Content) -> CoachService:
    return coach_service(open_database(f"sqlite:///{tmp_path / 'parley.db'}"), content)


async def test_metrics_use_prometheus_names_and_count_what_happened(
    tmp_path: Path, content: Content
) -> None:
    service = sqlite_service(tmp_path, content)
    service.notify(CHANNEL, "u1", None, "5", "waiting")
    service.notify(CHANNEL, "u2", None, "5", "waiting too")
    metrics = Metrics()
    metrics.update_handled("text", 0.004)
    metrics.update_handled("text", 0.03)
    metrics.update_handled("button", 7.0)
    metrics.error("network")
    metrics.error("handler")
    async with serving(service, metrics, {}) as get:
        response = await get("/metrics")
    service.close()
    text = response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert 'parley_updates_total{kind="text"} 2.0' in text
    assert 'parley_updates_total{kind="button"} 1.0' in text
    assert 'parley_update_duration_seconds_bucket{le="0.005"} 1.0' in text
    assert 'parley_update_duration_seconds_bucket{le="0.05"} 2.0' in text
    assert 'parley_update_duration_seconds_bucket{le="+Inf"} 3.0' in text
    assert 'parley_bot_api_errors_total{kind="network"} 1.0' in text
    assert 'parley_update_errors_total{kind="handler"} 1.0' in text
    assert "parley_outbox_pending_messages 2.0" in text
    assert "process_resident_memory_bytes" in text  # prometheus_client's process metrics
    assert "python_info" in text


async def test_healthz_is_503_naming_a_loop_that_stopped_beating(
    tmp_path: Path, content: Content
) -> None:
    service = sqlite_service(tmp_path, content)
    metrics = Metrics()
    metrics.watch("poller", "sender")
    async with serving(service, metrics, {"poller": 1.0, "sender": 60.0}) as get:
        metrics.beat("poller")
        assert (await get("/healthz")).status_code == 200
        await asyncio.sleep(1.2)
        stuck = await get("/healthz")
        assert (stuck.status_code, stuck.json()["loops"]) == (503, ["poller"])
        metrics.beat("poller")
        assert (await get("/healthz")).status_code == 200
        ready = await get("/readyz")
    service.close()
    assert (ready.status_code, ready.json()) == (200, {"database": "ready"})
