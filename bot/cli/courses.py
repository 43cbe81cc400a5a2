"""`python -m bot instructors ...` and `python -m bot cohorts ...`: the operator's side of
issue 4, for setting up a course before anyone has written to the bot."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.cli.common import CommandError, telegram_id
from bot.coach.ids import parse_row_id
from bot.config import Settings
from bot.courses.cohorts import invite_link
from bot.courses.service import CourseService
from bot.courses.types import CourseError
from bot.wiring import build_service

log = logging.getLogger(__name__)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    instructors = sub.add_parser("instructors", help="grant, remove or list the instructor role")
    inner = instructors.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = inner.add_parser("add", help="make a Telegram user an instructor")
    add.add_argument("telegram_id", metavar="TELEGRAM_ID")
    add.add_argument("--name", default=None, help="how students see them (default: their name)")
    remove = inner.add_parser("remove", help="take the role and all their cohorts away")
    remove.add_argument("telegram_id", metavar="TELEGRAM_ID")
    inner.add_parser("list", help="every instructor with their cohorts")
    cohorts = sub.add_parser("cohorts", help="create, list, staff or close cohorts")
    inner = cohorts.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = inner.add_parser("create", help="create a cohort and print its invite link")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--instructor", required=True, metavar="TELEGRAM_ID")
    inner.add_parser("list", help="every cohort with its instructors and invite code")
    staff = inner.add_parser(
        "add-instructor", help="add an instructor to a cohort (its students are told)"
    )
    staff.add_argument("cohort_id", metavar="COHORT_ID")
    staff.add_argument("telegram_id", metavar="TELEGRAM_ID")
    close = inner.add_parser("close", help="close a cohort: its invite code stops working")
    close.add_argument("cohort_id", metavar="COHORT_ID")


def _telegram_id(text: str) -> int:
    try:
        return telegram_id(text)
    except argparse.ArgumentTypeError:
        raise CommandError(
            f"{text!r} is not a Telegram user id: it is a number such as 123456789 "
            "(a user can see theirs with @userinfobot)"
        ) from None


def _cohort_id(text: str) -> int:
    value = parse_row_id(text)
    if value is None:
        raise CommandError(f"{text!r} is not a cohort number (python -m bot cohorts list)")
    return value


def _courses(settings: Settings) -> CourseService:
    service = build_service(settings, conversing=False)
    return CourseService(service.database, service.content, settings.admin_ids)


def instructors(settings: Settings, args: argparse.Namespace) -> int:
    courses = _courses(settings)
    if args.action == "list":
        return _list_instructors(courses)
    telegram_id = _telegram_id(args.telegram_id)
    if args.action == "remove":
        return _remove_instructor(courses, telegram_id)
    try:
        info = courses.add_instructor(telegram_id, args.name, "cli")
    except CourseError as exc:
        raise CommandError(str(exc)) from None
    state = "is now" if info.created else "was already"
    print(f"{info.name} (Telegram id {telegram_id}) {state} an instructor.")
    return 0


def _list_instructors(courses: CourseService) -> int:
    found = courses.instructors()
    if not found:
        print("No instructors yet. Grant the role with: python -m bot instructors add TELEGRAM_ID")
    for i in found:
        taught = ", ".join(f"#{cid} {name}" for cid, name in i.cohorts) or "no cohort"
        granted = f"{i.granted_at:%Y-%m-%d} by {i.granted_by or 'unknown'}"
        print(f"{i.telegram_id or '-':<12} {i.name:<30} {taught}  (granted {granted})")
    return 0


def _remove_instructor(courses: CourseService, telegram_id: int) -> int:
    try:
        revoked = courses.remove_instructor(telegram_id)
    except CourseError as exc:
        raise CommandError(str(exc)) from None
    print(f"{revoked.name} (Telegram id {telegram_id}) is no longer an instructor.")
    for cohort in revoked.orphaned:
        print(
            f"Cohort #{cohort.id} “{cohort.name}” has no instructor now: nobody can read its "
            f"shared sessions until you run: python -m bot cohorts add-instructor {cohort.id} "
            "TELEGRAM_ID"
        )
    return 0


def bot_username(settings: Settings) -> str:
    """TELEGRAM_BOT_USERNAME, else ask Telegram (getMe) when a token is set; "" if neither."""
    if settings.telegram_bot_username:
        return settings.telegram_bot_username
    if not settings.telegram_token.get_secret_value():
        return ""
    from telegram import Bot
    from telegram.error import TelegramError

    async def ask() -> str:
        bot = Bot(settings.telegram_token.get_secret_value(), base_url=settings.telegram_api_base)
        async with bot:
            me = await bot.get_me()
        return me.username or ""

    try:
        return asyncio.run(asyncio.wait_for(ask(), 10))
    except (TelegramError, TimeoutError, OSError) as exc:
        log.warning("could not ask Telegram for the bot's username: %s", type(exc).__name__)
        return ""


def cohorts(settings: Settings, args: argparse.Namespace) -> int:
    courses = _courses(settings)
    if args.action == "list":
        found = courses.all_cohorts()
        if not found:
            print(
                "No cohorts yet. Create one with: python -m bot cohorts create NAME --instructor ID"
            )
        for c in found:
            teachers = ", ".join(c.instructors) or "(no instructor)"
            code = "closed" if c.closed else c.invite_code
            print(f"#{c.id:<4} {c.name:<30} {c.student_count:>4} students  {teachers}  {code}")
        return 0
    if args.action in ("add-instructor", "close"):
        return _change_cohort(courses, args)
    telegram_id = _telegram_id(args.instructor)
    try:
        cohort = courses.create_cohort(args.name, telegram_id)
    except CourseError as exc:
        raise CommandError(str(exc)) from None
    username = bot_username(settings)
    print(f"Cohort #{cohort.id} “{cohort.name}” created.")
    print(f"Invite code: {cohort.invite_code}")
    print(f"Invite link: {invite_link(username, cohort.invite_code)}")
    if not username:
        print(
            "Note: replace <bot> with your bot's username (set TELEGRAM_BOT_USERNAME, or "
            "TELEGRAM_BOT_TOKEN so it can be looked up).",
            file=sys.stderr,
        )
    return 0


def _change_cohort(courses: CourseService, args: argparse.Namespace) -> int:
    cohort_id = _cohort_id(args.cohort_id)
    try:
        if args.action == "close":
            closed = courses.close_cohort(cohort_id)
            if not closed.closed:
                print(f"Cohort #{cohort_id} “{closed.cohort.name}” was already closed.")
                return 0
            print(
                f"Cohort #{cohort_id} “{closed.cohort.name}” is closed: its invite code no longer "
                f"works. {closed.told} student(s) were told; what they shared stays readable "
                "until they /leave or /forget."
            )
            return 0
        added = courses.add_cohort_instructor(cohort_id, _telegram_id(args.telegram_id))
    except CourseError as exc:
        raise CommandError(str(exc)) from None
    if not added.added:
        print(f"{added.name} already instructs cohort #{cohort_id} “{added.cohort.name}”.")
        return 0
    print(
        f"{added.name} now instructs cohort #{cohort_id} “{added.cohort.name}”; "
        f"{added.told} student(s) were told."
    )
    return 0
