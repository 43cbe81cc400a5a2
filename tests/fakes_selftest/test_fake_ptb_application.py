"""A real python-telegram-bot Application, long-polling the fake end to end."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes import FakeBotApi


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Them", callback_data="v1:them")]])
    args = " ".join(context.args or [])
    await update.effective_message.reply_html(f"<b>Welcome</b> {args}", reply_markup=keyboard)


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Got it")
    await query.edit_message_text(f"You chose {query.data}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


async def test_application_polling_end_to_end(server: FakeBotApi) -> None:
    app = Application.builder().token(server.token).base_url(server.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(choose))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    user = server.user(1001, "Ana")
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        await app.start()
        try:
            user.sends_command("/start", args="join-abc")
            welcome = await asyncio.to_thread(user.wait_for_reply)
            assert welcome.shown == "Welcome join-abc"
            assert welcome.button_texts == ["Them"]
            user.presses("Them")
            chosen = await asyncio.to_thread(user.wait_for_text, "You chose v1:them")
            assert chosen.message_id == welcome.message_id
            answer = await asyncio.to_thread(user.wait_for_callback_answer)
            assert answer.text == "Got it"
            user.says("I want a raise")
            reply = await asyncio.to_thread(user.wait_for_reply)
            assert reply.text == "echo: I want a raise"
        finally:
            await app.updater.stop()
            await app.stop()
    assert server.confirmed_offset > 0
