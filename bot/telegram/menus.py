"""What Telegram shows about the bot before anyone types: the command menus, per scope, and
the profile's descriptions. Published at start-up; every word comes from content
(`command_<name>`, `bot_description`, `bot_short_description` in dialogues/messages.yaml).

Scopes: the default menu is the students' (everyone); each instructor's and admin's private
chat gets a `BotCommandScopeChat` menu with their commands too. Roles given or taken while the
bot runs show in the menu from the next start (the commands themselves check roles every
time, so a stale menu never grants anything).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.engine.content import Content

log = logging.getLogger(__name__)

STUDENT = (
    "start", "new", "resume", "sessions", "back", "skip", "report", "progress", "debrief", "rehearse",
    "export", "reminders", "snooze", "stop", "timezone", "share", "leave", "web", "cancel",
    "privacy", "forget", "help",
)  # fmt: skip
"""The default menu, in order; each one's description is the phrase `command_<name>`."""
INSTRUCTOR = (*STUDENT[:-3], "students", "review", "feedback", "cohort", "notify", *STUDENT[-3:])
ADMIN = (*INSTRUCTOR[:-3], "grant", "revoke", *INSTRUCTOR[-3:])


def menu(content: Content, names: Iterable[str]) -> list[BotCommand]:
    return [BotCommand(name, content.say(f"command_{name}", "text").strip()) for name in names]


async def publish(
    bot: Bot, content: Content, admins: Iterable[int], instructors: Iterable[int]
) -> None:
    """Set the menus and the descriptions. A chat Telegram refuses (a person who never wrote
    to the bot) is skipped with a log line: the bot still starts."""
    await bot.set_my_description(content.say("bot_description", "text").strip())
    await bot.set_my_short_description(content.say("bot_short_description", "text").strip())
    admin_ids = set(admins)
    for chat_id, names in [(i, ADMIN) for i in sorted(admin_ids)] + [
        (i, INSTRUCTOR) for i in sorted(set(instructors) - admin_ids)
    ]:
        try:
            await bot.set_my_commands(menu(content, names), scope=BotCommandScopeChat(chat_id))
        except TelegramError as exc:
            log.info("command menu not set for a chat error=%s", type(exc).__name__)
    await bot.set_my_commands(menu(content, STUDENT))  # last: the start-up's end is visible
