"""Real headless Chromium for the browser tests: Debian's `chromium` package driven by
Playwright with `executable_path` (no browser download).

Without Chromium or Playwright the tests are skipped with the reason on a developer machine,
and fail under CI (`CI` set), so a missing install never passes silently.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -r requirements-dev.txt)"
    if not CHROMIUM.exists() and shutil.which(str(CHROMIUM)) is None:
        return f"Chromium is not at {CHROMIUM} (Debian: apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A launched headless Chromium browser (playwright.sync_api.Browser).

    Module-scoped, not session-scoped: Playwright's sync API keeps an event loop running on the
    main thread while it is open, and every later test that calls `asyncio.run` would fail."""
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser
        finally:
            browser.close()
