"""Shared fixtures: real SQLite files in a temporary folder, the shipped content, a clock."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.coach.messages import Inbound, Outbound, Reply
from bot.coach.service import CoachService
from bot.engine.content import Content, load_content
from bot.wiring import coach_service
from storage.database import open_database
from storage.uow import Database
from tests.postgres import reset_schema, worker_database

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker gets its own PostgreSQL database (tests reset schemas)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("TEST_DATABASE_URL")
    if worker and url:
        os.environ["TEST_DATABASE_URL"] = worker_database(url, worker)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


def _postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


SQLITE_CORE = "sqlite-core"
"""The `database_url` variant that opens SQLite with the fast path off (storage.statements):
every statement then runs through SQLAlchemy Core, as it does on PostgreSQL."""


@pytest.fixture(params=["sqlite", SQLITE_CORE, "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file always, twice (its statements on sqlite3, and through
    Core); PostgreSQL when TEST_DATABASE_URL names one."""
    if request.param in ("sqlite", SQLITE_CORE):
        yield f"sqlite:///{tmp_path / 'db' / 'parley.db'}"
        return
    url = _postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL variant skipped")
    reset_schema(url)
    yield url


def fast_path(request: pytest.FixtureRequest) -> bool:
    """False in the test's `sqlite-core` variant: SQLite without its fast path."""
    callspec = getattr(request.node, "callspec", None)
    return callspec is None or callspec.params.get("database_url") != SQLITE_CORE


@pytest.fixture
def opened(request: pytest.FixtureRequest) -> Iterator[Callable[[str], Database]]:
    """Open databases like the app does (the fast path off in the `sqlite-core` variant), and
    close their connection pools after the test."""
    databases: list[Database] = []
    fast = fast_path(request)

    def open_(url: str) -> Database:
        database = open_database(url, fast=fast)
        databases.append(database)
        return database

    yield open_
    for database in databases:
        database.dispose()


@pytest.fixture
def sessions(database_url: str, opened: Callable[[str], Database]) -> Database:
    return opened(database_url)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 25, 9, 0, 0))


@pytest.fixture
def service(sessions: Database, content: Content, clock: Clock) -> Iterator[CoachService]:
    coach = coach_service(sessions, content, clock=clock)
    yield coach
    coach.close()


class Chat:
    """A user talking to the coach service directly; reads like a conversation."""

    def __init__(
        self,
        service: CoachService,
        user: str = "ana",
        channel: str = "console",
        name: str | None = None,
    ) -> None:
        self.service = service
        self.user = user
        self.channel = channel
        self.name = name if name is not None else user.title()
        self.counter = 0
        self.received: list[str] = []
        self.last: list[Outbound] = []

    def send(
        self,
        text: str | None = None,
        button: str | None = None,
        media: str | None = None,
        delivery: str | None = None,
    ) -> Reply:
        self.counter += 1
        reply = self.service.handle(
            Inbound(
                channel=self.channel,
                user_ref=self.user,
                chat_id=self.user,
                delivery_id=delivery or f"{self.user}-{self.counter}",
                text=text,
                button=button,
                media=media,
                display_name=self.name,
            )
        )
        self.last = list(reply.messages)
        self.received += [m.text for m in reply.messages]
        return reply

    def says(self, text: str) -> Reply:
        return self.send(text=text)

    def button(self, label: str) -> str:
        for message in reversed(self.last):
            for option_label, data in message.options:
                if option_label == label:
                    return data
        raise AssertionError(f"no button {label!r} in {[m.text for m in self.last]}")

    def sends(self, media: str) -> Reply:
        return self.send(media=media)

    def presses(self, label: str) -> Reply:
        return self.send(button=self.button(label))

    def question(self) -> Outbound:
        questions = [m for m in self.last if m.kind == "question"]
        assert questions, f"no question in the last reply: {[m.text for m in self.last]}"
        return questions[-1]

    def text(self) -> str:
        return "\n\n".join(m.text for m in self.last)


@pytest.fixture
def chat(service: CoachService) -> Chat:
    return Chat(service)
