"""The baseline for the Telegram benchmark: the smallest python-telegram-bot 22 echo bot.

`python -m bench.echo_bot` with TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL set. Stock PTB:
`Application` + `run_polling`, one `MessageHandler(filters.TEXT, echo)` replying with the same
text. Whatever Parley costs beyond this is the price of its durability and coaching.
"""

from __future__ import annotations

import logging
import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


def build() -> Application:  # type: ignore[type-arg]
    token = os.environ["TELEGRAM_BOT_TOKEN"]
    builder = Application.builder().token(token)
    base_url = os.environ.get("TELEGRAM_API_BASE_URL", "").strip()
    if base_url:
        builder = builder.base_url(base_url)
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    return application


def main() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING").upper())
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines contain the token
    build().run_polling(poll_interval=0.0, timeout=25, allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
