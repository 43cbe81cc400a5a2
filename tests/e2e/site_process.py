"""The review site as a real process (`python -m bot web`) for tests that need one over HTTP."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.e2e.console_process import REPO, bot_env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def review_site(database: Path, log_file: Path, port: int, **env: str) -> Iterator[str]:
    """Start the site on `database`, wait until /healthz answers, yield its base URL, stop it.

    Its output goes to `log_file` (a file, not a pipe: a full pipe would block the server)."""
    base = f"http://127.0.0.1:{port}"
    with log_file.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "web"],
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            env=bot_env(database, WEB_PORT=str(port), **env),
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).text == "ok":
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "the site did not start"
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
