"""Parley on (fake) Telegram, end to end, against a stock python-telegram-bot echo bot.

Both bots run as real processes long-polling the fake Bot API on loopback (the fake and the
simulated users live in this process). Two measurements:

(a) saturation: USERS users each send their next message the moment the bot's reply arrives,
    for a fixed time, first against `bench.echo_bot`, then against `python -m bot run` (each user
    types persona answers, and starts over with /new after the report). Reported: updates per
    second, reply latency p50/p99 (user's send to the bot's first sendMessage in that chat, as the
    fake received it) and the bot process's CPU time per update (/proc/<pid>/stat).
(b) human pace: HUMANS users, each answering THINK seconds after the bot's reply (pressing the
    buttons a person would press), against Parley: reply latency p99.

Targets: Parley at least 80% of the echo bot's throughput; p99 under 50 ms at human pace.
"""

from __future__ import annotations

import bisect
import os
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.stats import percentile
from tests.e2e.telegram_process import (
    Coachee,
    ParleyProcess,
    coachees,
    fake_bot_api,
)
from tests.fakes import BotMessage, FakeBotApi, TelegramUser
from tests.postgres import reset_schema

USERS = 20
WARMUP = 2.0
SATURATION_SECONDS = 20.0
HUMANS = 50
THINK = 2.0
HUMAN_SECONDS = 36.0
LOG_LEVEL = "WARNING"  # the same for both bots: per-update INFO lines are not what we measure


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc/<pid>/stat."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------- simulated users


class EchoUser:
    """Sends a numbered line, waits for any new bot message, sends the next."""

    def __init__(self, user: TelegramUser) -> None:
        self.user = user
        self.count = 0
        self.mark = 0
        self.scan = 0
        self.started = False

    def ready(self) -> bool:
        if not self.started:
            return True
        messages = self.user.state.chats[self.user.user_id].messages
        for message in list(messages.values())[self.scan :]:
            self.scan += 1
            if isinstance(message, BotMessage) and message.seq > self.mark:
                return True
        return False

    def act(self) -> str:
        state = self.user.state
        self.mark = state.seq
        self.scan = len(state.chats[self.user.user_id].messages)
        self.count += 1
        self.started = True
        self.user.says(f"hello {self.count} from {self.user.first_name}")
        return "text"


class CoachedUser:
    """A persona walked through Parley, again and again (/new after each report)."""

    def __init__(self, coachee: Coachee) -> None:
        self.coachee = coachee
        self.user = coachee.user
        self.sessions = 0

    def ready(self) -> bool:
        return not self.coachee.started or self.coachee.ready()

    def act(self) -> str:
        """Send the next message; returns its kind ("command", "press" or "text")."""
        person = self.coachee
        if not person.started:
            person.begin()
            return "command"
        if person.waiting_for is None:  # the report arrived: a new negotiation
            self.sessions += 1
            person.start_over()
            return "command"
        presses = person.presses
        person.act()
        return "press" if person.presses > presses else "text"


@dataclass
class Run:
    name: str
    sends: list[tuple[int, float, str]] = field(default_factory=list)  # (chat, wall time, kind)
    seconds: float = 0.0
    cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    unanswered: int = 0

    @property
    def updates(self) -> int:
        return len(self.sends) - self.unanswered

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def kinds(self) -> str:
        parts = [
            f"{kind} p50 {percentile(v, 0.5) * 1e3:.1f} ms p99 {percentile(v, 0.99) * 1e3:.1f} ms"
            f" (n={len(v)})"
            for kind, v in sorted(self.by_kind.items())
        ]
        return "; ".join(parts)

    def line(self) -> str:
        lat = self.latencies or [float("nan")]
        cpu = self.cpu / self.updates * 1e3 if self.updates else float("nan")
        return (
            f"{self.name:<28} {self.updates:>6} updates {self.rate:8.1f}/s  "
            f"p50 {percentile(lat, 0.5) * 1e3:7.1f} ms  p99 {percentile(lat, 0.99) * 1e3:7.1f} ms  "
            f"CPU {cpu:6.2f} ms/update"
        )


def simulate(
    fake: FakeBotApi,
    users: list[EchoUser] | list[CoachedUser],
    pid: int,
    name: str,
    seconds: float,
    think: float = 0.0,
    warmup: float = WARMUP,
) -> Run:
    """Drive ``users`` for ``warmup + seconds``; measure the last ``seconds``."""
    run = Run(name)
    state = fake.state
    start = time.monotonic()
    # People don't all start in the same millisecond: spread the first messages over `think`.
    due: list[float | None] = [start + think * i / len(users) for i in range(len(users))]
    measuring = False
    end = start + warmup + seconds
    cpu0 = 0.0
    measured_from = start
    with state.lock:
        while True:
            now = time.monotonic()
            if not measuring and now >= start + warmup:
                measuring, cpu0, measured_from = True, cpu_seconds(pid), now
            if now >= end:
                break
            next_due = end
            for index, user in enumerate(users):
                when = due[index]
                if when is None and user.ready():
                    when = due[index] = now + think
                if when is None:
                    continue
                if when <= now:
                    sent = time.time()
                    kind = user.act()
                    if measuring:
                        run.sends.append((user.user.user_id, sent, kind))
                    due[index] = None
                else:
                    next_due = min(next_due, when)
            state.changed.wait(max(0.0, min(next_due - time.monotonic(), 0.25)))
    run.cpu = cpu_seconds(pid) - cpu0
    run.seconds = time.monotonic() - measured_from
    ended = time.time()
    time.sleep(0.5)  # replies still in flight count for latency, not for throughput
    _latencies(fake, run, cutoff=ended)
    return run


def _latencies(fake: FakeBotApi, run: Run, cutoff: float) -> None:
    """Send time to the first sendMessage the fake received for that chat afterwards."""
    replies: dict[int, list[float]] = {}
    for call in fake.calls("sendMessage"):
        if call.ok:
            replies.setdefault(int(call.params["chat_id"]), []).append(call.at)
    for chat, sent, kind in run.sends:
        times = replies.get(chat, [])
        at = bisect.bisect_left(times, sent)
        if at < len(times):
            run.latencies.append(times[at] - sent)
            run.by_kind.setdefault(kind, []).append(times[at] - sent)
            if times[at] > cutoff:
                run.unanswered += 1
        else:
            run.unanswered += 1


# ---------------------------------------------------------------------------- the runs


def postgres_url() -> str | None:
    """A PostgreSQL database for the PostgreSQL run: BENCH_DATABASE_URL, else the local server
    when one answers on 127.0.0.1:5432 (its public schema is emptied first)."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if url is None:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", 5432)) != 0:
                return None
        url = "postgresql://postgres@127.0.0.1:5432/test"
    try:
        reset_schema(url)
    except Exception as exc:
        print(f"  (PostgreSQL run skipped: {type(exc).__name__})")
        return None
    return url


def _bot(
    fake: FakeBotApi, folder: Path, echo: bool, database_url: str | None = None
) -> ParleyProcess:
    # A fresh database per run: each fake numbers its updates from 1, real Telegram never repeats.
    database = Path(tempfile.mkdtemp(dir=folder)) / "parley.db"
    if echo:
        return ParleyProcess(
            fake,
            database,
            module="bench.echo_bot",
            args=(),
            ready_method="deleteWebhook",
            LOG_LEVEL=LOG_LEVEL,
        )
    if database_url is not None:
        return ParleyProcess(fake, database, LOG_LEVEL=LOG_LEVEL, DATABASE_URL=database_url)
    return ParleyProcess(fake, database, LOG_LEVEL=LOG_LEVEL)


def _measure(
    folder: Path,
    echo: bool,
    make_users: Callable[[FakeBotApi], list[EchoUser] | list[CoachedUser]],
    name: str,
    seconds: float,
    think: float = 0.0,
    database_url: str | None = None,
) -> Run:
    with fake_bot_api() as fake:
        bot = _bot(fake, folder, echo, database_url).start()
        try:
            return simulate(fake, make_users(fake), bot.pid, name, seconds, think)
        finally:
            bot.stop()
            problems = bot.errors()
            if problems:
                print(f"  ({len(problems)} error lines in the bot's output, e.g. {problems[0]})")


def main() -> None:
    print(
        f"== Telegram end to end (fake Bot API on loopback, {os.cpu_count()} CPUs, "
        f"LOG_LEVEL={LOG_LEVEL}) =="
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        def echo_users(fake: FakeBotApi) -> list[EchoUser]:
            return [EchoUser(fake.user(20000 + i, f"Echo{i}")) for i in range(USERS)]

        def typing_users(fake: FakeBotApi) -> list[CoachedUser]:
            people = coachees(fake, USERS, first_id=30000, press=lambda _: False)
            return [CoachedUser(p) for p in people]

        def human_users(fake: FakeBotApi) -> list[CoachedUser]:
            people = coachees(fake, HUMANS, first_id=40000, press=lambda n: n % 3 != 0)
            return [CoachedUser(p) for p in people]

        print(f"(a) saturation: {USERS} users, next message as soon as the reply arrives, ", end="")
        print(f"{SATURATION_SECONDS:.0f} s after {WARMUP:.0f} s warm-up")
        echo = _measure(
            folder, True, echo_users, name="echo bot (PTB run_polling)", seconds=SATURATION_SECONDS
        )
        print("  " + echo.line())
        parley = _measure(
            folder, False, typing_users, name="Parley (typed answers)", seconds=SATURATION_SECONDS
        )
        print("  " + parley.line())
        ratio = parley.rate / echo.rate if echo.rate else 0.0
        verdict = "met" if ratio >= 0.8 else "NOT met"
        print(f"  throughput Parley/echo = {ratio:.0%} (target >= 80%: {verdict})")
        url = postgres_url()
        if url is not None:
            on_pg = _measure(
                folder,
                False,
                typing_users,
                name="Parley on PostgreSQL",
                seconds=SATURATION_SECONDS,
                database_url=url,
            )
            print("  " + on_pg.line())
            pg_ratio = on_pg.rate / echo.rate if echo.rate else 0.0
            print(f"  throughput Parley on PostgreSQL/echo = {pg_ratio:.0%}")
        else:
            print("  (no PostgreSQL on 127.0.0.1:5432: PostgreSQL run skipped)")

        print(
            f"(b) human pace: {HUMANS} users, each answering {THINK:.0f} s after the reply ", end=""
        )
        print(f"(buttons pressed where a person would), {HUMAN_SECONDS:.0f} s")
        human = _measure(
            folder,
            False,
            human_users,
            name="Parley (human pace)",
            seconds=HUMAN_SECONDS,
            think=THINK,
        )
        print("  " + human.line())
        print("  by message kind: " + human.kinds())
        p99 = percentile(human.latencies, 0.99) if human.latencies else float("inf")
        print(f"  p99 reply latency {p99 * 1e3:.1f} ms (target < 50 ms: ", end="")
        print(f"{'met' if p99 < 0.05 else 'NOT met'})")


if __name__ == "__main__":
    main()
