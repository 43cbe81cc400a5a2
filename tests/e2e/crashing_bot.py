"""`python -m tests.e2e.crashing_bot ...`: Parley with one more command, `/crash`, whose handler
always raises, for the tests of what happens to an update whose handling keeps failing.
Everything else is the real bot (`python -m bot`)."""

from __future__ import annotations

import sys

from bot.cli.main import main
from bot.coach import sessions
from bot.coach.turn import Turn


@sessions.router.command("/crash")
def crash(turn: Turn, _args: str) -> None:
    raise RuntimeError("a handler made to raise")


if __name__ == "__main__":
    sys.exit(main())
