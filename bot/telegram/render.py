"""How an `Outbound` looks on Telegram: HTML text, a progress line, an inline keyboard."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.coach.messages import Outbound
from bot.engine.content import Content

BAR = 10


def progress_line(content: Content, position: int, total: int) -> str:
    filled = max(0, min(BAR, round(BAR * position / max(total, 1))))
    words = content.say("question_progress", "html", position=position, total=total)
    return f"<i>{words}</i>  {'▰' * filled}{'▱' * (BAR - filled)}"


def message_text(content: Content, message: Outbound) -> str:
    if message.progress is None:
        return message.text
    return f"{progress_line(content, *message.progress)}\n\n{message.text}"


def keyboard(message: Outbound) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in message.buttons
        ]
    )


def keyboard_json(message: Outbound) -> dict[str, object]:
    """The same keyboard as `keyboard`, as the Bot API's JSON (for raw calls)."""
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row]
            for row in message.buttons
        ]
    }
