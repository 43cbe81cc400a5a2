"""Fixtures for end-to-end tests: a fake Telegram and the real bot process against it.

Modules that share one bot across their tests override these with module-scoped versions.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.telegram_process import ParleyProcess, fake_bot_api
from tests.fakes import FakeBotApi


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with fake_bot_api() as server:
        yield server


@pytest.fixture
def parley(fake: FakeBotApi, tmp_path: Path) -> Iterator[ParleyProcess]:
    with ParleyProcess(fake, tmp_path / "parley.db").started(250) as bot:
        yield bot
