"""Polling mode has an operators' port too (METRICS_PORT): metrics, liveness, readiness."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.site_process import free_port
from tests.e2e.telegram_process import ParleyProcess
from tests.fakes import FakeBotApi

pytestmark = pytest.mark.timeout(90)


def test_polling_bot_serves_metrics_health_and_readiness_on_its_own_port(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with ParleyProcess(fake, tmp_path / "parley.db", METRICS_PORT=str(port)).started() as bot:
        ana = fake.user(1001, "Ana")
        ana.sends_command("/start")
        ana.wait_for_text("Question 1 of")
        health = httpx.get(f"{base}/healthz", timeout=5)
        ready = httpx.get(f"{base}/readyz", timeout=5)
        deadline = time.monotonic() + 10  # /start's replies may still be on their way
        while True:
            metrics = httpx.get(f"{base}/metrics", timeout=5).text
            if "parley_outbox_pending_messages 0.0" in metrics or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert bot.errors() == []
    assert (health.status_code, health.json()) == (200, {"status": "alive"})
    assert (ready.status_code, ready.json()) == (200, {"database": "ready"})
    assert 'parley_updates_total{kind="command"} 1.0' in metrics
    assert "parley_update_duration_seconds_count 1.0" in metrics
    assert "parley_outbox_pending_messages 0.0" in metrics
    assert "process_cpu_seconds_total" in metrics
