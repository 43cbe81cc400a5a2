"""Drive `python -m bot run` as a real subprocess against the fake Telegram Bot API.

`ParleyProcess` starts the bot on a SQLite file with ``TELEGRAM_API_BASE_URL`` pointing at a
`FakeBotApi`, waits until it polls, can SIGKILL it and start it again on the same database, and
keeps its output for failure messages. `Coachee` walks one Telegram user through a persona (press
the button whose label matches, else type), and `drive` runs many of them at once from one
thread: each user acts as soon as the reply it waits for has arrived, like an attentive human.
Stored results are read back through the CLI (`python -m bot export` / `sessions --json`).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tests import persona as persona_file
from tests.e2e.console_process import bot_env as console_env
from tests.e2e.console_process import export_json as export_json
from tests.e2e.console_process import run_bot
from tests.fakes import BotMessage, FakeBotApi, TelegramUser

REPO = Path(__file__).resolve().parents[2]
PERSONAS = REPO / "tests" / "personas"
TOKEN = "123456:TEST-token"
QUESTION_RE = re.compile(r"Question (\d+) of about (\d+)")
REPORT_MARK = "Your report"
QUOTE_MARK = "Let us never negotiate out of fear"


# ------------------------------------------------------------------------------- the fake


@contextlib.contextmanager
def fake_bot_api() -> Iterator[FakeBotApi]:
    """A running fake Telegram, stopped afterwards whatever happened."""
    server = FakeBotApi(token=TOKEN).start()
    # The fake binds a socket made with proto 0, so asyncio never sets TCP_NODELAY on the
    # connections it accepts; uvicorn writes headers and body separately and every keep-alive
    # request then stalls ~40 ms on Nagle + delayed ACK. Linux copies TCP_NODELAY from the
    # listening socket to accepted ones, so setting it here removes the stall.
    listening = getattr(server, "_sock", None)
    if isinstance(listening, socket.socket):
        listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        yield server
    finally:
        server.stop()


# ------------------------------------------------------------------------------- the bot


def bot_env(database: Path, fake: FakeBotApi | None = None, **extra: str) -> dict[str, str]:
    """The console's environment plus the fake Telegram's address and token."""
    env = console_env(database, LOG_LEVEL="INFO")
    # The fake has no flood control unless a test asks: pace 50 times faster than Telegram
    # allows, so a person typing fast is not slowed but the pacing still runs.
    env.update(PARLEY_SEND_PACING="50")
    if fake is not None:
        env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url)
    env.update(extra)
    return env


class ParleyProcess:
    """`python -m bot run` against ``fake``; a context manager that always cleans up."""

    def __init__(
        self,
        fake: FakeBotApi,
        database: Path,
        *,
        module: str = "bot",
        args: tuple[str, ...] = ("run",),
        ready_method: str = "setMyCommands",
        **extra_env: str,
    ) -> None:
        self.fake = fake
        self.database = database
        self.command = [sys.executable, "-m", module, *args]
        self.ready_method = ready_method.lower()
        self.extra_env = extra_env
        self.process: subprocess.Popen[str] | None = None
        self.lines: list[str] = []  # every run's output, in order
        self._pump: threading.Thread | None = None
        self.starts = 0

    # lifecycle

    def start(self, timeout: float = 30.0) -> ParleyProcess:
        """Start the bot and return once it has asked the fake for updates."""
        if self.process is not None:
            raise RuntimeError("the bot is already running")
        mark = len(self.fake.state.recorded)
        self.starts += 1
        self.lines.append(f"----- start #{self.starts} -----")
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            cwd=REPO,
            env=bot_env(self.database, self.fake, **self.extra_env),
        )
        self._pump = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        self._pump.start()
        deadline = time.monotonic() + timeout
        state = self.fake.state
        while True:
            found = state.wait_until(
                lambda: any(
                    c.method.lower() == self.ready_method
                    for c in itertools.islice(state.recorded, mark, None)
                ),
                0.2,
            )
            if found:
                return self
            if self.process.poll() is not None:
                code = self.process.returncode
                self._reap()
                raise AssertionError(f"the bot exited with {code} before polling\n{self.output()}")
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"the bot did not poll within {timeout}s\n{self.output()}")

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        with contextlib.suppress(ValueError, OSError):
            for line in process.stdout:
                self.lines.append(line.rstrip("\n"))

    @property
    def pid(self) -> int:
        assert self.process is not None, "the bot is not running"
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up, no flushing, exactly like a crash or an OOM kill."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
        self._reap()

    @contextlib.contextmanager
    def started(self, shown_lines: int = 200) -> Iterator[ParleyProcess]:
        """Started for the `with` block, then stopped; its last log lines are printed, which
        pytest shows only when a test failed."""
        try:
            yield self.start()
        finally:
            self.stop()
            print(self.output(shown_lines))

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM and wait (SIGKILL if it hangs); returns the exit code."""
        if self.process is None:
            return None
        process = self.process
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.lines.append(f"(did not stop within {timeout}s of SIGTERM: killed)")
                process.kill()
        self._reap()
        return process.returncode

    def restart(self, timeout: float = 30.0) -> ParleyProcess:
        self.kill()
        return self.start(timeout)

    def _reap(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.wait(30)
        if self._pump is not None:
            self._pump.join(10)
            self._pump = None
        if process.stdout is not None:
            process.stdout.close()
        self.lines.append(f"----- exit code {process.returncode} -----")

    def __enter__(self) -> ParleyProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # diagnostics

    def output(self, last: int = 60) -> str:
        lines = list(self.lines)[-last:]
        return "bot output (latest last):\n  " + "\n  ".join(lines or ["(none)"])

    def errors(self) -> list[str]:
        """Output lines that look like failures (tracebacks, ERROR and CRITICAL logs)."""
        return [
            line
            for line in list(self.lines)
            if " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback")
        ]


# ------------------------------------------------------------------------------- the CLI


def sessions_json(database: Path) -> list[dict[str, Any]]:
    """`python -m bot sessions --json` (every user's sessions, oldest first)."""
    done = run_bot(database, "sessions", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert isinstance(data, list)
    return data


_EXPORT_ALL = """
import json
from bot.wiring import build_service
from bot.config import load_settings

service = build_service(load_settings())
listing = [s.as_json() for s in service.list_all()]
print(json.dumps({"sessions": listing,
                  "exports": {str(s["id"]): service.export(s["id"]) for s in listing}}))
"""


def export_everything(database: Path) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """`sessions --json` and `export ID --format json` for every session, in one process.

    The same service calls the two CLI commands make; one interpreter instead of one per session
    keeps the 20-user checks within the time budget.
    """
    done = subprocess.run(
        [sys.executable, "-c", _EXPORT_ALL],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=bot_env(database),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    return data["sessions"], {int(k): v for k, v in data["exports"].items()}


def user_lines(export: dict[str, Any]) -> list[str]:
    return [line["text"] for line in export["transcript"] if line["from"] == "user"]


# ------------------------------------------------------------------------------- personas


@dataclass(frozen=True)
class Persona:
    name: str
    answers: tuple[str, ...]
    expect: dict[str, str]
    positions: tuple[int | None, ...]  # question number shown after each answer; None: report


def persona_names() -> list[str]:
    return sorted(p.stem for p in PERSONAS.glob("*.yaml"))


@functools.cache
def persona(name: str) -> Persona:
    """A persona with the question number the bot should show after each of its answers."""
    from bot.engine.content import load_content

    data = persona_file.load(name, date.today())  # the bot runs on the real clock
    answers = tuple(data["answers"])
    content = load_content()
    conversation = content.dialogue.start()
    positions: list[int | None] = []
    for text in answers:
        step = content.dialogue.answer(conversation, text, date.today())
        assert step.accepted, f"persona {name}: {text!r} rejected: {step.reason}"
        finished = step.finished
        positions.append(None if finished else content.progress(conversation)[0])
    return Persona(name, answers, dict(data["expect"]), tuple(positions))


# ------------------------------------------------------------------------------- coachees


def button_for(answer: str, labels: list[str]) -> str | None:
    """The button a person would press for ``answer``: its label, or the n-th option."""
    if answer in labels:
        return answer
    number = answer.strip().rstrip(".)")
    if number.isdigit() and len(labels) >= 2 and 1 <= int(number) <= len(labels):
        return labels[int(number) - 1]
    return None


@dataclass
class Coachee:
    """One Telegram user answering a persona; `drive` calls `ready` and `act` under the lock."""

    user: TelegramUser
    persona: Persona
    press: bool = True  # press matching buttons (False: type every answer)
    sent: list[str] = field(default_factory=list)  # the user lines the transcript must hold
    index: int = 0  # next answer
    mark: int = 0  # fake state sequence before the last action
    waiting_for: int | None = 1  # question number awaited; None: the report
    question: BotMessage | None = None
    started: bool = False
    finished: bool = False
    presses: int = 0
    pressed_ids: list[int] = field(default_factory=list)  # question messages answered by a press
    typed_ids: list[int] = field(default_factory=list)  # question messages answered by typing
    _scan: int = 0  # chat entries already examined since the last action
    _report_seen: bool = False
    _quote_seen: bool = False

    @property
    def user_id(self) -> int:
        return self.user.user_id

    def begin(self) -> None:
        """/start: the greeting and the first question."""
        self._before_action()
        self.user.sends_command("/start")
        self.started = True
        self.waiting_for = 1

    def start_over(self) -> None:
        """/new after the report: the same persona again, in a new session."""
        self._before_action()
        self.user.sends_command("/new")
        self.index, self.waiting_for, self.finished = 0, 1, False
        self.sent.clear()

    def _before_action(self) -> None:
        state = self.user.state
        with state.lock:
            self.mark = state.seq
            self._scan = len(state.chats[self.user_id].messages)
            self._report_seen = self._quote_seen = False
            self.question = None

    def ready(self) -> bool:
        """Has the awaited reply arrived? (Call with the fake's lock held.)"""
        if self.finished or not self.started:
            return False
        messages = self.user.state.chats[self.user_id].messages
        for message in itertools.islice(messages.values(), self._scan, None):
            self._scan += 1
            if not isinstance(message, BotMessage) or message.seq <= self.mark:
                continue
            shown = message.shown
            if self.waiting_for is None:
                self._report_seen |= REPORT_MARK in shown
                self._quote_seen |= QUOTE_MARK in shown
            else:
                match = QUESTION_RE.search(shown)
                if match and int(match.group(1)) == self.waiting_for:
                    self.question = message
        if self.waiting_for is None:
            return self._report_seen and self._quote_seen
        return self.question is not None

    def act(self) -> None:
        """Answer the question just received (or note that the report arrived)."""
        if self.waiting_for is None:
            self.finished = True
            return
        assert self.question is not None
        answer = self.persona.answers[self.index]
        label = button_for(answer, self.question.button_texts) if self.press else None
        message_id = self.question.message_id
        self._before_action()
        if label is not None:
            self.user.presses(label, message_id=message_id)
            self.sent.append(label)
            self.presses += 1
            self.pressed_ids.append(message_id)
        else:
            self.user.says(answer)
            self.sent.append(answer)
            self.typed_ids.append(message_id)
        self.index += 1
        self.waiting_for = self.persona.positions[self.index - 1]

    def type_ahead(self, count: int) -> int:
        """Type the next ``count`` answers at once, without waiting (a burst); returns how many."""
        count = min(count, len(self.persona.answers) - self.index - 1)
        if count <= 0 or self.finished:
            return 0
        self._before_action()
        for _ in range(count):
            answer = self.persona.answers[self.index]
            self.user.says(answer)
            self.sent.append(answer)
            self.index += 1
        self.waiting_for = self.persona.positions[self.index - 1]
        return count

    def describe(self) -> str:
        awaited = "the report" if self.waiting_for is None else f"question {self.waiting_for}"
        return (
            f"user {self.user_id} ({self.persona.name}) answered {self.index} of "
            f"{len(self.persona.answers)}, waiting for {awaited}"
        )


@functools.cache
def asks_back(name: str) -> bool:
    """Whether the coach asks this persona "Did you mean ...?" somewhere: such personas are
    played through the console and the service (tests/coach/test_confirm.py), not by this
    driver, which follows one question number per answer."""
    from bot.engine.content import load_content

    content = load_content()
    conversation = content.dialogue.start()
    for text in persona_file.load(name, date.today())["answers"]:
        step = content.dialogue.answer(conversation, text, date.today())
        if step.unsure is not None:
            return True
        if step.finished:
            break
    return False


def coachees(
    fake: FakeBotApi, count: int, first_id: int = 5001, press: Callable[[int], bool] | None = None
) -> list[Coachee]:
    """``count`` users, each with a persona that answers without being asked back (round
    robin); even ones press, odd ones type."""
    names = [name for name in persona_names() if not asks_back(name)]
    out = []
    for n in range(count):
        user = fake.user(first_id + n, f"User{n}")
        presses = press(n) if press is not None else n % 2 == 0
        out.append(Coachee(user, persona(names[n % len(names)]), press=presses))
    return out


def drive(
    fake: FakeBotApi,
    people: list[Coachee],
    *,
    timeout: float = 60.0,
    stop_when: Callable[[], bool] | None = None,
    diagnostics: Callable[[], str] | None = None,
) -> None:
    """Run everyone until all have their report (or ``stop_when()``), from this one thread.

    Each user acts as soon as its awaited reply arrives. One thread and the fake's condition
    variable keep the test side cheap, so the bot, not the test, is what is measured and loaded.
    """
    state = fake.state
    deadline = time.monotonic() + timeout
    with state.lock:
        for person in people:
            if not person.started:
                person.begin()
        while True:
            acted = False
            for person in people:
                if person.ready():
                    person.act()
                    acted = True
            if all(p.finished for p in people) or (stop_when is not None and stop_when()):
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                stuck = [p for p in people if not p.finished]
                lines = [f"{len(stuck)} of {len(people)} users stuck after {timeout}s:"]
                lines += [f"  {p.describe()}" for p in stuck]
                lines.append(stuck[0].user.transcript()[-3000:])
                if diagnostics is not None:
                    lines.append(diagnostics())
                raise AssertionError("\n".join(lines))
            if not acted:
                state.changed.wait(min(remaining, 0.5))


def check_transcripts(database: Path, people: list[Coachee]) -> dict[int, dict[str, Any]]:
    """Each user has one completed session whose user lines are exactly what they sent."""
    listing, exports = export_everything(database)
    by_user: dict[str, list[dict[str, Any]]] = {}
    for session in listing:
        by_user.setdefault(str(session["user"]), []).append(session)
    problems = []
    found: dict[int, dict[str, Any]] = {}
    for person in people:
        mine = by_user.get(str(person.user_id), [])
        if len(mine) != 1:
            problems.append(f"user {person.user_id}: {len(mine)} sessions: {mine}")
            continue
        export = exports[mine[0]["id"]]
        found[person.user_id] = export
        said = user_lines(export)
        if said != person.sent:
            problems.append(_diff(person, said))
        if (export["session"]["status"], export["session"]["state"]) != ("completed", "done"):
            problems.append(f"user {person.user_id}: session is {export['session']}")
    assert not problems, "\n".join(problems[:8])
    return found


def _diff(person: Coachee, said: list[str]) -> str:
    where = next(
        (i for i, (a, b) in enumerate(zip(said, person.sent, strict=False)) if a != b),
        min(len(said), len(person.sent)),
    )
    return (
        f"user {person.user_id} ({person.persona.name}): stored {len(said)} lines, sent "
        f"{len(person.sent)}; first difference at {where}: stored {said[where : where + 3]!r}, "
        f"sent {person.sent[where : where + 3]!r}"
    )
