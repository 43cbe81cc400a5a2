"""Drive `python -m bot chat` as a real subprocess, line by line, like a person at a terminal."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import queue
import signal
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def bot_env(database: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PARLEY_"))}
    env.update({"DATABASE_URL": f"sqlite:///{database}", "PYTHONUNBUFFERED": "1", **extra})
    return env


def run_bot(
    database: Path, *args: str, stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=bot_env(database),
        timeout=timeout,
        check=False,
    )


def export_json(database: Path, session_id: int) -> dict[str, Any]:
    done = run_bot(database, "export", str(session_id), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert isinstance(data, dict)
    return data


class ConsoleProcess:
    """A live console coach; `answer()` sends a line and waits for the next question."""

    def __init__(self, database: Path, *args: str, terminal: bool = False) -> None:
        """`terminal`: standard input is a pseudo-terminal (as when a person types), so a
        block written at once arrives as a paste does; otherwise a pipe."""
        self.terminal: int | None = None
        stdin: int = subprocess.PIPE
        if terminal:
            self.terminal, stdin = pty.openpty()
            attrs = termios.tcgetattr(stdin)
            attrs[3] &= ~termios.ECHO  # nobody reads the echo back
            termios.tcsetattr(stdin, termios.TCSANOW, attrs)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", *args],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=bot_env(database),
        )
        if self.terminal is not None:
            os.close(stdin)  # the child holds its end
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, marker: str, timeout: float = 30) -> list[str]:
        """Lines up to and including the first one containing `marker`."""
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            seen.append(line)
            self.output.append(line)
            if marker in line:
                return seen
        raise AssertionError(
            f"no {marker!r} within {timeout}s; output so far:\n" + "\n".join(self.output)
        )

    def send(self, line: str) -> None:
        self.paste(line + "\n")

    def paste(self, block: str) -> None:
        """Write `block` in one go, as a terminal delivers pasted lines."""
        if self.terminal is not None:
            os.write(self.terminal, block.encode())
            return
        assert self.process.stdin is not None
        self.process.stdin.write(block)
        self.process.stdin.flush()

    def interrupt(self) -> int:
        """Ctrl-C: SIGINT, then the exit code."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=30)
        time.sleep(0.2)  # let the reader thread take the last lines
        return code

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no clean-up, no chance to save
        self.process.wait(timeout=10)
        self.close_pipes()

    def close(self) -> int:
        """End of input (Ctrl-D at a terminal), then the exit code."""
        if self.terminal is not None:
            os.write(self.terminal, b"\x04")
        else:
            assert self.process.stdin is not None
            self.process.stdin.close()
        code = self.process.wait(timeout=30)
        self.close_pipes()
        return code

    def close_pipes(self) -> None:
        if self.terminal is not None:
            with contextlib.suppress(OSError):
                os.close(self.terminal)
            self.terminal = None
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(OSError):
                    pipe.close()
