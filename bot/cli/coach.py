"""CLI commands of the coach itself: chat, sessions, export, the bot, the review site."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import CommandError, default_user, dump
from bot.config import Settings, ensure_listenable
from bot.engine.errors import UnknownScriptError
from bot.wiring import build_service


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
    service = build_service(settings, conversing=False)
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
    service = build_service(settings, conversing=False)
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


def run_bot(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.telegram_token.get_secret_value():
        raise CommandError("TELEGRAM_BOT_TOKEN is not set; see README, 'Running on Telegram'")
    import asyncio

    from bot.telegram.app import run

    if settings.metrics_port:
        ensure_listenable("METRICS_PORT", settings.metrics_host, settings.metrics_port)
    if settings.webhook_url:
        ensure_listenable("WEBHOOK_PORT", settings.webhook_host, settings.webhook_port)
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
