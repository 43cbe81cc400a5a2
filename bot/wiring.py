"""The composition root: the one place that builds Parley's parts and plugs them together.

Adapters (Telegram, console, web, CLI) and tests ask it for a ready service; nothing else
constructs one. The features' routers are merged here, in the order their `/help` and
`/privacy` sections appear; a command or button claimed twice stops start-up with the names
of both features (`DuplicateRouteError`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.coach import confirm, sessions
from bot.coach.router import Router
from bot.coach.service import CoachService
from bot.coach.turn import Turn
from bot.config import Settings
from bot.courses import commands as course_commands
from bot.courses import review_commands, setup_commands
from bot.courses.types import CourseSettings
from bot.debrief import commands as debrief_commands
from bot.engine.content import DIALOGUES_DIR, Content, load_content
from bot.engine.dates import warm_up
from bot.engine.errors import ScriptError
from bot.errors import ParleyError
from bot.rehearsal import commands as rehearsal_commands
from bot.reminders import commands as reminder_commands
from storage.database import open_database
from storage.uow import Database


class ContentError(ParleyError):
    """The dialogue content folder can't be loaded; the message names file and field."""


def routes() -> Router[Turn]:
    """Every feature's commands, buttons and hooks in one table (core first)."""
    return Router.merge(
        sessions.router,
        confirm.router,
        reminder_commands.router,
        debrief_commands.router,
        rehearsal_commands.router,
        course_commands.router,
        setup_commands.router,
        review_commands.router,
    )


def coach_service(
    database: Database,
    content: Content,
    *,
    clock: Callable[[], datetime] | None = None,
    courses: CourseSettings | None = None,
) -> CoachService:
    """The coach with every feature plugged in."""
    return CoachService(database, content, routes(), clock, [courses or CourseSettings()])


def build_service(settings: Settings, *, conversing: bool = True) -> CoachService:
    """The coach as configured by the environment (the CLI, the bot and the console).

    `conversing`: someone will answer questions, so the date reader's language data is loaded
    now (~0.3 s), not in their first date answer; listing and export commands skip it."""
    if conversing:
        warm_up()
    try:
        content = load_content(settings.dialogues_dir or DIALOGUES_DIR)
    except ScriptError as exc:
        raise ContentError(f"the dialogue content is invalid:\n{exc}") from None
    courses = CourseSettings(
        admin_ids=settings.admin_ids,
        bot_username=settings.telegram_bot_username,
        web_base_url=settings.site_base_url,
        web_secret=settings.web_secret_key.get_secret_value(),
    )
    database = open_database(settings.database_url.get_secret_value(), settings.database_pool_size)
    return coach_service(database, content, courses=courses)
