"""How an `Outbound` looks on Telegram: HTML text, a progress line, an inline keyboard."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.coach.messages import Outbound

BAR = 10


def progress_line(position: int, total: int) -> str:
    filled = max(0, min(BAR, round(BAR * position / max(total, 1))))
    return f"<i>Question {position} of {total}</i>  {'▰' * filled}{'▱' * (BAR - filled)}"


def message_text(message: Outbound) -> str:
    if message.progress is None:
        return message.text
    return f"{progress_line(*message.progress)}\n\n{message.text}"


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
