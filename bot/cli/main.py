"""`python -m bot ...`: every entry point of Parley (see `python -m bot --help`).

Exit codes: 0 done, 1 a command could not do what was asked (`ParleyError`), 2 Parley cannot
start as configured: a bad setting, an unreachable database, a token Telegram rejects. Each
failure is one line on stderr, without a traceback and without a secret.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot import redaction
from bot.cli.common import row_id, telegram_id
from bot.config import ConfigError, Settings, load_settings
from bot.errors import ParleyError
from storage.errors import DatabasePlaceError

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Parley, a negotiation coach. Without a command: the Telegram bot when "
        "TELEGRAM_BOT_TOKEN is set, otherwise the console coach.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="run the Telegram bot (long polling)")
    chat = sub.add_parser("chat", help="the coach in this terminal (reads answers from stdin)")
    chat.add_argument("--user", default=None, help="who is being coached (default: your login)")
    chat.add_argument(
        "--resume",
        nargs="?",
        const=-1,
        type=row_id,
        metavar="ID",
        help="continue session ID, or your latest unfinished one",
    )
    chat.add_argument(
        "--debrief",
        type=row_id,
        default=None,
        metavar="ID",
        help="look back on your completed session ID after the real negotiation",
    )
    sessions = sub.add_parser("sessions", help="list coaching sessions, oldest first")
    sessions.add_argument("--user", default=None, help="only this console user's sessions")
    sessions.add_argument("--json", action="store_true", help="print JSON")
    export = sub.add_parser("export", help="print one session as JSON, Markdown or HTML")
    export.add_argument("id", type=row_id)
    export.add_argument("--format", choices=("json", "md", "html"), default="json")
    export.add_argument("--output", type=Path, default=None, help="write to FILE, not stdout")
    sub.add_parser("health", help="exit 0 if the database answers and is migrated (for Docker)")
    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=("upgrade",))
    dialogues = sub.add_parser(
        "dialogues", help="check or draw dialogue scripts; show how an answer is understood"
    )
    dialogues.add_argument("action", choices=("validate", "graph", "understand"))
    dialogues.add_argument(
        "file", nargs="?", type=Path, default=None, help="a FILE; for understand: QUESTION_ID"
    )
    dialogues.add_argument("text", nargs="?", default=None, help="understand: the answer TEXT")
    dialogues.add_argument("--today", default=None, help="understand: YYYY-MM-DD (default: today)")
    dialogues.add_argument(
        "--order", choices=("DMY", "MDY"), default=None, help="understand: day/month order"
    )
    dialogues.add_argument(
        "--stdin",
        action="store_true",
        help='understand: read JSON lines {"question", "text", "today"}, answer one line each',
    )
    sub.add_parser("web", help="the instructor review site (WEB_HOST:WEB_PORT)")
    web_login = sub.add_parser("web-login", help="print a one-time sign-in URL for the site")
    web_login.add_argument("telegram_id", type=telegram_id, metavar="TELEGRAM_ID")
    from bot.cli.courses import add_parsers as add_course_parsers

    add_course_parsers(sub)
    return parser


def _setup_logging(settings: Settings, quiet: bool) -> None:
    level = logging.WARNING if quiet and settings.log_level == "INFO" else settings.log_level
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines contain the token
    # PIL (the lesson chart) logs every PNG chunk at DEBUG.
    for noisy in ("transitions", "alembic", "apscheduler", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # The token and the webhook secret are masked in every line, at every level (DEBUG too).
    redaction.install(settings.secrets())
    redaction.set_hash_key(settings.log_hash_key.get_secret_value())


def _unreachable(settings: Settings, exc: DBAPIError) -> str:
    """One line for a database that does not answer: where (without the password) and the
    driver's first line of why."""
    url = make_url(settings.database_url.get_secret_value())
    where = url.render_as_string(hide_password=True)
    reason = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
    redact = redaction.Redactor(settings.secrets()).redact
    return redact(f"DATABASE_URL: cannot use the database at {where}: {reason}")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    command = args.command
    if command is None:
        if settings.telegram_token.get_secret_value():
            command = "run"
        else:
            print(
                "No TELEGRAM_BOT_TOKEN set, so here is the coach in your terminal. "
                "To run on Telegram, put the token in .env (see README).\n"
            )
            command = "chat"
            args.user, args.resume, args.debrief = None, None, None
    _setup_logging(settings, quiet=command not in ("run", "web"))
    from bot.cli import coach, courses, ops

    handlers = {
        "run": coach.run_bot,
        "chat": coach.chat,
        "sessions": coach.sessions,
        "export": coach.export,
        "db": ops.db,
        "health": ops.health,
        "dialogues": ops.dialogues,
        "instructors": courses.instructors,
        "cohorts": courses.cohorts,
        "web": coach.web,
        "web-login": coach.web_login,
    }
    try:
        return handlers[command](settings, args)
    except ConfigError as exc:  # refused at start-up (e.g. the token): one line, exit 2
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:  # unreachable, refused login, no such database
        print(f"error: {_unreachable(settings, exc)}", file=sys.stderr)
        return 2
    except DatabasePlaceError as exc:  # the SQLite file cannot live where DATABASE_URL points
        print(f"error: DATABASE_URL: {exc}", file=sys.stderr)
        return 2
    except ParleyError as exc:  # CommandError, ContentError, ...: one line, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
