"""Operator CLI commands: database upgrades, the health check, checking dialogue content."""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy import make_url

from bot.cli.common import CommandError
from bot.config import Settings
from bot.engine.content import DIALOGUES_DIR, load_content, load_phrases
from bot.engine.errors import ScriptError
from bot.engine.graph import mermaid
from bot.engine.lessons import load_lessons
from bot.engine.script import load_script
from storage.database import is_current, make_engine, upgrade


def db(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url.get_secret_value())
    upgrade(engine)
    print(f"database is up to date: {engine.url.render_as_string(hide_password=True)}")
    return 0


def health(settings: Settings, args: argparse.Namespace) -> int:
    """For container health checks: never creates or migrates anything, only looks.

    With METRICS_PORT set, asks the running bot's /healthz (its poller and sender are going
    round: a stuck bot is unhealthy even while its database answers), then its database."""
    if settings.metrics_port:
        alive = _bot_alive(settings.metrics_port)
        if alive is not None:
            print(f"unhealthy: {alive}", file=sys.stderr)
            return 1
    url = make_url(settings.database_url.get_secret_value())
    missing = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if missing and not Path(str(url.database)).is_file():  # connecting would create it, empty
        print(
            f"unhealthy: no database at {url.database} (run: python -m bot db upgrade)",
            file=sys.stderr,
        )
        return 1
    engine = make_engine(settings.database_url.get_secret_value())
    try:
        current = is_current(engine)
    except Exception as exc:
        print(f"unhealthy: database unreachable ({type(exc).__name__})", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if not current:
        print("unhealthy: migrations pending (run: python -m bot db upgrade)", file=sys.stderr)
        return 1
    print("ok")
    return 0


def _bot_alive(port: int) -> str | None:
    """None when the bot on this machine answers /healthz with 200, else why not."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return None if answer.status == 200 else f"/healthz answered {answer.status}"
    except urllib.error.HTTPError as exc:
        return f"/healthz answered {exc.code} {exc.read(200).decode(errors='replace')}"
    except OSError as exc:
        return f"the bot does not answer on port {port} ({type(exc).__name__})"


def dialogues(settings: Settings, args: argparse.Namespace) -> int:
    """Check (or draw) the content the bot would load: PARLEY_DIALOGUES_DIR when set."""
    folder = settings.dialogues_dir or DIALOGUES_DIR
    path = args.file
    if args.action == "understand":
        from bot.cli.understand import understand

        return understand(settings, args)
    if args.action == "graph":
        if path is None:
            raise CommandError("graph needs a FILE, e.g. dialogues/coach.yaml")
        try:
            print(mermaid(load_script(path)), end="")
        except ScriptError as exc:
            print(exc, file=sys.stderr)
            return 1
        return 0
    try:
        if path is None:
            content = load_content(folder)
            scripts = [content.for_script(script_id).script for script_id in content.script_ids]
            print(
                "ok: "
                + ", ".join(
                    f"{s.id} ({len(s.questions)} questions, {len(s.rules)} rules)" for s in scripts
                )
                + f"; lessons.yaml, messages.yaml in {folder}"
                + (
                    f"; rehearsal.yaml ({len(content.rehearsal.moments)} moments)"
                    if content.rehearsal is not None
                    else ""
                )
            )
        elif path.name == "rehearsal.yaml":
            rehearsal = load_content(path.parent).rehearsal
            print(f"ok: {path} ({len(rehearsal.moments) if rehearsal else 0} moments)")
        elif path.name == "lessons.yaml":
            load_lessons(path)
            print(f"ok: {path}")
        elif path.name == "messages.yaml":
            load_phrases(path.parent)
            print(f"ok: {path}")
        else:
            _validate_script(path, folder)
    except ScriptError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _validate_script(path: Path, folder: Path) -> None:
    """One script, checked with the lessons, phrases, templates and other scripts of `folder`
    (in place of the script with its id there, so a debrief is checked against its
    preparation)."""
    script = load_content(folder, replace=path).for_script(load_script(path).id).script
    print(f"ok: {path} ({len(script.questions)} questions, {len(script.rules)} rules)")
