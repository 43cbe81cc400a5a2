"""Translate Telegram updates for the coach service and act on its reply.

Thin by design: no dialogue logic here. A private message or button press becomes an `Inbound`;
the reply's messages go to the outbox sender; a pressed keyboard is acknowledged and removed.
Updates the coach does not handle (group chats, edits) get a short fixed reply, once.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
from collections.abc import Awaitable

from telegram import Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.coach import CoachService, Inbound
from bot.engine.content import Content
from bot.telegram.sender import CHANNEL, OutboxSender

log = logging.getLogger(__name__)

MEDIA = (
    ("sticker", "a sticker"),
    ("photo", "a photo"),
    ("voice", "a voice message"),
    ("video_note", "a video message"),
    ("video", "a video"),
    ("animation", "a GIF"),
    ("audio", "an audio file"),
    ("document", "a document"),
    ("location", "a location"),
    ("venue", "a location"),
    ("contact", "a contact"),
    ("poll", "a poll"),
    ("dice", "a dice roll"),
)


def media_of(message: Message) -> str | None:
    """What a non-text message is, in words; None for plain text."""
    if message.forward_origin is not None:
        return "a forwarded message"
    for attribute, name in MEDIA:
        if getattr(message, attribute, None):
            return name
    return None if message.text is not None else "that kind of message"


def _command(message: Message) -> str:
    return (message.text or "").strip().split(" ")[0].split("@")[0].lower()


class UpdateHandler:
    """The one PTB handler: every update passes through `on_update`."""

    def __init__(self, service: CoachService, content: Content, sender: OutboxSender) -> None:
        self.service = service
        self.content = content
        self.sender = sender

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Route one update; the chat's lock is held by the update processor."""
        chat = update.effective_chat
        user = update.effective_user
        if chat is None or user is None:
            await self._claim(update)
            return
        if chat.type != ChatType.PRIVATE:
            await self._fixed_reply(update, chat.id, "group_chat")
            return
        if update.edited_message is not None:
            await self._fixed_reply(update, chat.id, "edited_message")
            return
        query = update.callback_query
        message = update.message
        if query is None and message is None:
            await self._claim(update)
            return
        wants_export = message is not None and _command(message) == "/export"
        if wants_export and await self._export(update, str(user.id), chat.id):
            return
        inbound = Inbound(
            channel=CHANNEL,
            user_ref=str(user.id),
            chat_id=str(chat.id),
            delivery_id=str(update.update_id),
            text=message.text if message is not None and media_of(message) is None else None,
            button=query.data if query is not None else None,
            media=media_of(message) if message is not None else None,
            display_name=user.first_name or "",
            inbox_id=update.update_id,
        )
        reply = await self.sender.db(self.service.handle, inbound)
        work: list[Awaitable[object]] = []
        if reply.messages:
            work.append(self.sender.deliver(reply.messages))
        if query is not None:
            # The toast and the old keyboard's update go out alongside the next question.
            work.append(self._acknowledge(update, reply.notice, reply.pressed, reply.chosen))
        await asyncio.gather(*work)

    async def _claim(self, update: Update) -> bool:
        return await self.sender.db(
            self.service.claim, CHANNEL, str(update.update_id), update.update_id
        )

    async def _fixed_reply(self, update: Update, chat_id: int, phrase: str) -> None:
        """Answer an update the coach does not handle, once, through the outbox."""
        text = self.content.say(phrase, "html")
        messages = await self.sender.db(
            self.service.notify,
            CHANNEL,
            str(update.update_id),
            update.update_id,
            str(chat_id),
            text,
        )
        if messages:
            await self.sender.deliver(messages)

    async def _acknowledge(
        self, update: Update, notice: str | None, pressed: str | None, chosen: str | None
    ) -> None:
        """Answer the button press and retire its keyboard so it cannot answer again; an
        accepted answer stays visible under the question ("✓ Them")."""
        query = update.callback_query
        assert query is not None
        try:
            await query.answer(text=(notice or "")[:200] or None)
        except BadRequest:
            log.info("callback query too old to answer")
        message = query.message
        if pressed not in ("accepted", "stale") or not isinstance(message, Message):
            return
        try:
            if chosen and message.text is not None:
                marked = f"{message.text_html}\n\n✓ <b>{html.escape(chosen)}</b>"
                await message.edit_text(marked, parse_mode=ParseMode.HTML)
            else:
                await message.edit_reply_markup(reply_markup=None)
        except BadRequest:
            log.info("keyboard already gone")

    async def _export(self, update: Update, user_ref: str, chat_id: int) -> bool:
        """Send the user's open session as JSON and HTML documents; False if there is none."""
        session_id = await self.sender.db(self.service.current_session, CHANNEL, user_ref)
        if session_id is None:
            return False
        if not await self._claim(update):
            return True
        data = await self.sender.db(self.service.export, session_id, (CHANNEL, user_ref))
        if data is None:
            return False
        page = self.service.export_document(data, "html")
        caption = self.content.say("export_caption", "html", title=data["session"]["title"])
        stem = f"parley-session-{session_id}"
        body = json.dumps(data, ensure_ascii=False, indent=2).encode()
        bot = self.sender.bot
        await bot.send_document(chat_id, document=body, filename=f"{stem}.json")
        await bot.send_document(
            chat_id,
            document=page.encode(),
            filename=f"{stem}.html",
            caption=caption,
            parse_mode=ParseMode.HTML,
        )
        return True
