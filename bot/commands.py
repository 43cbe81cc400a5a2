"""The CLI commands: thin wrappers that build the parts and call the right adapter."""

from __future__ import annotations

import argparse
import json
import sys

from bot.cli import default_user, dump
from bot.coach import CoachService
from bot.config import Settings
from bot.engine.content import DIALOGUES_DIR, load_content, load_phrases
from bot.engine.errors import ScriptError, UnknownScriptError
from bot.engine.graph import mermaid
from bot.engine.lessons import load_lessons
from bot.engine.script import load_script
from storage.database import is_current, make_engine, open_database, upgrade


class CommandError(Exception):
    """A command cannot do what was asked; the message says why and what to do instead."""


def build_service(settings: Settings) -> CoachService:
    try:
        content = load_content(settings.dialogues_dir or DIALOGUES_DIR)
    except ScriptError as exc:
        raise CommandError(f"the dialogue content is invalid:\n{exc}") from None
    service = CoachService(
        open_database(settings.database_url, settings.database_pool_size),
        content,
        admin_ids=settings.admin_ids,
    )
    service.configure_courses(
        bot_username=settings.telegram_bot_username,
        web_base_url=settings.web_base_url,
        web_secret=settings.web_secret_key,
    )
    return service


def chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console import run_chat

    service = build_service(settings)
    user = (args.user or default_user()).strip()
    if not user or len(user) > 60:
        raise CommandError("--user must be 1 to 60 characters")
    resume = args.resume if args.resume is not None and args.resume >= 0 else None
    try:
        return run_chat(
            service,
            user,
            resume=resume,
            resume_latest=args.resume == -1,
            debrief=args.debrief,
            source=sys.stdin,
            out=sys.stdout,
            interactive=sys.stdin.isatty(),
        )
    finally:
        service.close()


def sessions(settings: Settings, args: argparse.Namespace) -> int:
    service = build_service(settings)
    found = service.list_sessions("console", args.user) if args.user else service.list_all()
    if args.json:
        print(dump([s.as_json() for s in found]))
        return 0
    if not found:
        print("No sessions yet. Start one with: python -m bot chat")
        return 0
    for s in found:
        print(f"#{s.id:<5} {s.status:<10} {s.updated_at}  {s.user:<16} {s.title or '(untitled)'}")
    return 0


def export(settings: Settings, args: argparse.Namespace) -> int:
    service = build_service(settings)
    try:
        data = service.export(args.id)
    except UnknownScriptError as exc:  # its script was removed from the content folder
        raise CommandError(f"session {args.id} can't be exported: {exc}") from None
    if data is None:
        raise CommandError(f"there is no session {args.id}; `python -m bot sessions` lists them")
    text = (
        dump(data) + "\n" if args.format == "json" else service.export_document(data, args.format)
    )
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def db(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    print(f"database is up to date: {engine.url.render_as_string(hide_password=True)}")
    return 0


def health(settings: Settings, args: argparse.Namespace) -> int:
    """For container health checks: never creates or migrates anything, only looks."""
    engine = make_engine(settings.database_url)
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


def dialogues(settings: Settings, args: argparse.Namespace) -> int:
    path = args.file
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
            content = load_content()
            scripts = [content.for_script(script_id).script for script_id in content.script_ids]
            print(
                "ok: "
                + ", ".join(
                    f"{s.id} ({len(s.questions)} questions, {len(s.rules)} rules)" for s in scripts
                )
                + f"; lessons.yaml, messages.yaml in {DIALOGUES_DIR}"
            )
        elif path.name == "lessons.yaml":
            load_lessons(path)
            print(f"ok: {path}")
        elif path.name == "messages.yaml":
            load_phrases(path.parent)
            print(f"ok: {path}")
        else:
            _validate_script(path)
    except ScriptError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _validate_script(path: object) -> None:
    """One script, checked with the shipped lessons, phrases, templates and other scripts (in
    place of the shipped script with its id, so a debrief is checked against its preparation)."""
    from pathlib import Path

    assert isinstance(path, Path)
    script = load_content(DIALOGUES_DIR, replace=path).for_script(load_script(path).id).script
    print(f"ok: {path} ({len(script.questions)} questions, {len(script.rules)} rules)")


def run_bot(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.telegram_token:
        raise CommandError("TELEGRAM_BOT_TOKEN is not set; see README, 'Running on Telegram'")
    import asyncio

    from bot.telegram.app import run

    service = build_service(settings)
    asyncio.run(run(settings, service, service.content))
    return 0


def web(settings: Settings, args: argparse.Namespace) -> int:
    """The instructor review site, until Ctrl-C or SIGTERM."""
    from bot.web.serve import WebSetupError, serve

    try:
        serve(settings)
    except WebSetupError as exc:
        raise CommandError(str(exc)) from None
    return 0


def web_login(settings: Settings, args: argparse.Namespace) -> int:
    """Print a one-time sign-in URL (valid ten minutes) for a Telegram user."""
    from bot.web.serve import WebSetupError, login_url

    try:
        print(login_url(settings, args.telegram_id))
    except WebSetupError as exc:
        raise CommandError(str(exc)) from None
    return 0


__all__ = ["CommandError", "json"]
