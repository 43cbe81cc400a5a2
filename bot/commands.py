"""The CLI commands: thin wrappers that build the parts and call the right adapter."""

from __future__ import annotations

import argparse
import json
import sys

from bot.cli import default_user, dump
from bot.coach import CoachService
from bot.config import Settings
from bot.engine.content import DIALOGUES_DIR, check_templates, load_content, load_phrases
from bot.engine.errors import ScriptError
from bot.engine.graph import mermaid
from bot.engine.lessons import check_rules_against, load_lessons
from bot.engine.render import Renderer
from bot.engine.script import load_script
from storage.database import is_current, make_engine, open_database, upgrade


class CommandError(Exception):
    """A command cannot do what was asked; the message says why and what to do instead."""


def build_service(settings: Settings) -> CoachService:
    try:
        content = load_content(settings.dialogues_dir or DIALOGUES_DIR)
    except ScriptError as exc:
        raise CommandError(f"the dialogue content is invalid:\n{exc}") from None
    return CoachService(open_database(settings.database_url, settings.database_pool_size), content)


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
    data = service.export(args.id)
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
            print(
                f"ok: {DIALOGUES_DIR / 'coach.yaml'} ({len(content.script.questions)} questions, "
                f"{len(content.script.rules)} rules), lessons.yaml, messages.yaml"
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
    from pathlib import Path

    from bot.engine.content import Content

    assert isinstance(path, Path)
    script = load_script(path)
    book = load_lessons(DIALOGUES_DIR / "lessons.yaml")
    check_rules_against(script, book, str(path))
    content = Content(
        script, book, Renderer(DIALOGUES_DIR / "templates"), load_phrases(DIALOGUES_DIR)
    )
    check_templates(content, str(path))
    print(f"ok: {path} ({len(script.questions)} questions, {len(script.rules)} rules)")


def run_bot(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.telegram_token:
        raise CommandError("TELEGRAM_BOT_TOKEN is not set; see README, 'Running on Telegram'")
    import asyncio

    from bot.telegram.app import run

    service = build_service(settings)
    asyncio.run(run(settings, service, service.content))
    return 0


__all__ = ["CommandError", "json"]
