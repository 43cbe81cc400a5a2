"""Webhook mode: the real bot serves Telegram's POSTs, keeps each update, refuses forgeries."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from storage.database import open_database
from storage.schema import InboxUpdate
from tests.e2e.site_process import free_port
from tests.e2e.telegram_process import ParleyProcess, sessions_json
from tests.fakes import FakeBotApi

pytestmark = pytest.mark.timeout(90)
SECRET = "s3cret-token_123"


@pytest.fixture
def hook(fake: FakeBotApi, tmp_path: Path) -> Iterator[tuple[str, ParleyProcess]]:
    port = free_port()
    bot = ParleyProcess(
        fake,
        tmp_path / "parley.db",
        ready_method="setWebhook",
        WEBHOOK_URL="https://parley.example/tg/hook",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_HOST="127.0.0.1",
        WEBHOOK_PORT=str(port),
        METRICS_PORT=str(free_port()),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        bot.start()
        deadline = time.monotonic() + 15
        while True:  # setWebhook comes just before the server binds its port
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, bot.output()
            time.sleep(0.05)
        yield base, bot
    finally:
        bot.stop()
        print(bot.output(200))


def scrape(bot: ParleyProcess) -> str:
    """The metrics, from the operators' port (not the webhook's public one)."""
    port = bot.extra_env["METRICS_PORT"]
    return httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text


def deliver(base: str, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return httpx.post(f"{base}/tg/hook", json=update, headers=headers, timeout=10)


def test_webhook_is_registered_with_its_secret_and_updates_are_answered(
    fake: FakeBotApi, hook: tuple[str, ParleyProcess], tmp_path: Path
) -> None:
    base, _bot = hook
    [registered] = fake.calls("setWebhook")
    assert registered.params["url"] == "https://parley.example/tg/hook"
    assert registered.params["secret_token"] == SECRET
    assert not fake.calls("getUpdates"), "webhook mode must not poll"

    ana = fake.user(5001, "Ana")
    ana.says("/start")
    [update] = fake.pending_updates()
    assert deliver(base, update).status_code == 200
    ana.wait_for_text("Question 1 of", timeout=10)
    # Telegram retries a delivery it got no 200 for: the same update again changes nothing.
    assert deliver(base, update).status_code == 200
    time.sleep(0.5)
    assert len([m for m in ana.messages() if "Question 1 of" in m.shown]) == 1

    health = httpx.get(f"{base}/readyz", timeout=5)
    assert health.status_code == 200
    assert health.json() == {"database": "ready"}

    ana.presses("OK, let's start")
    [press] = [u for u in fake.pending_updates() if "callback_query" in u]
    assert deliver(base, press).status_code == 200
    ana.wait_for_text("Question 2 of", timeout=10)
    ana.says("My secret salary number 123456")
    [typed] = [u for u in fake.pending_updates() if u.get("update_id", 0) > press["update_id"]]
    assert deliver(base, typed).status_code == 200
    ana.wait_for_text("Question 3 of", timeout=10)

    time.sleep(0.5)  # delivered marks are written in batches every 0.2 s
    assert httpx.get(f"{base}/metrics", timeout=5).status_code == 404, "not on the public port"
    metrics = scrape(_bot)
    assert 'parley_updates_total{kind="command"} 2.0' in metrics  # /start, and its redelivery
    assert 'parley_updates_total{kind="button"} 1.0' in metrics
    assert 'parley_updates_total{kind="text"} 1.0' in metrics
    assert "parley_update_duration_seconds_count 4.0" in metrics
    assert "parley_outbox_pending_messages 0.0" in metrics
    # One log line per update, with a chat hash instead of the chat id, never the text or token.
    output = _bot.output(400)
    assert output.count("INFO bot.telegram.handlers update id=") == 4
    assert "123456" not in output
    assert "5001" not in output.replace("update id=", "")
    assert fake.token not in output


@pytest.mark.parametrize(
    ("secret", "body", "status"),
    [
        (None, {"update_id": 1}, 403),
        ("wrong", {"update_id": 1}, 403),
        (SECRET, "x" * 1_100_000, 413),
        (SECRET, "{not json", 400),
        (SECRET, {"no": "update_id"}, 400),
        (SECRET, [1, 2, 3], 400),
        (SECRET, '{"update_id": 7, "message": ' + "[" * 100_000 + "]" * 100_000 + "}", 400),
        (SECRET, '{"update_id": 7, "x": ' + "[" * 200 + "]" * 200 + "}", 400),
        (SECRET, "real:chat-id", 400),
        (SECRET, "real:update-id", 400),
        (SECRET, "real:update-id-true", 400),
    ],
    ids=[
        "no-secret",
        "wrong-secret",
        "oversized",
        "malformed",
        "not-an-update",
        "a-list",
        "deep-beyond-the-parser",
        "deep",
        "chat-id-above-64-bits",
        "update-id-above-64-bits",
        "update-id-true",
    ],
)
def test_forged_oversized_and_malformed_requests_are_refused_without_effect(
    fake: FakeBotApi,
    hook: tuple[str, ParleyProcess],
    tmp_path: Path,
    secret: str | None,
    body: Any,
    status: int,
) -> None:
    base, _bot = hook
    ana = fake.user(5002, "Ana")
    ana.says("/start")
    [update] = fake.pending_updates()
    forged = body if body != {"update_id": 1} else update
    if body == "real:chat-id":  # the real update, its ids beyond 64 bits
        forged = json.loads(json.dumps(update))
        forged["message"]["chat"]["id"] = forged["message"]["from"]["id"] = 2**70
    elif body == "real:update-id":
        forged = {**update, "update_id": 2**64}
    elif body == "real:update-id-true":
        forged = {**update, "update_id": True}
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    content = forged if isinstance(forged, str) else json.dumps(forged)
    response = httpx.post(f"{base}/tg/hook", content=content, headers=headers, timeout=10)
    assert response.status_code == status
    time.sleep(0.3)
    assert ana.messages() == [], "a refused request must not be answered"
    assert fake.calls("sendMessage") == []
    # Nothing was stored: no session exists.
    assert sessions_json(tmp_path / "parley.db") == []


def test_a_refused_update_with_a_usable_id_is_kept_as_failed(
    fake: FakeBotApi, hook: tuple[str, ParleyProcess], tmp_path: Path
) -> None:
    base, bot = hook
    forged = {"update_id": 41, "message": {"chat": {"id": 2**70, "type": "private"}}}
    assert deliver(base, forged).status_code == 400
    assert deliver(base, forged).status_code == 400
    sessions = open_database(f"sqlite:///{tmp_path / 'parley.db'}")
    with sessions.begin() as db:
        row = db.execute(
            select(InboxUpdate.failed, InboxUpdate.processed_at, InboxUpdate.payload).where(
                InboxUpdate.update_id == 41
            )
        ).one()
    sessions.dispose()
    assert row.failed == "webhook: number-out-of-range" and row.processed_at is not None
    assert row.payload == {}
    metrics = scrape(bot)
    assert 'parley_update_errors_total{kind="webhook_malformed"} 2.0' in metrics
    assert bot.errors() == []


def test_a_private_update_whose_sender_is_not_the_chat_is_refused(
    fake: FakeBotApi, hook: tuple[str, ParleyProcess], tmp_path: Path
) -> None:
    base, bot = hook
    ana = fake.user(5003, "Ana")
    ana.says("/start")
    [update] = fake.pending_updates()
    update["message"]["from"] = {**update["message"]["from"], "id": 5999, "first_name": "Eve"}
    assert deliver(base, update).status_code == 200  # kept and handled: Telegram stops resending
    time.sleep(0.5)
    assert ana.messages() == [] and fake.calls("sendMessage") == []
    assert sessions_json(tmp_path / "parley.db") == []
    assert "reason=sender-not-chat" in bot.output(50)
