"""Translate Telegram updates for the coach service and act on its reply.

Thin by design: no dialogue logic here. A private message or button press becomes an `Inbound`;
the reply's messages go to the outbox sender; a pressed keyboard is acknowledged and removed,
and so is the keyboard of a question answered by typing (bot/telegram/keyboards.py).
Updates the coach does not handle (group chats, edits) get a short fixed reply, once.
"""

from __future__ import annotations

import asyncio
import html
import logging
import time
from collections.abc import Awaitable, Sequence

from telegram import Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.coach.messages import Inbound, Outbound
from bot.coach.service import CoachService
from bot.engine.content import Content
from bot.redaction import chat_hash
from bot.telegram.metrics import Metrics
from bot.telegram.sender import CHANNEL, OutboxSender

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
"""Failed handlings of one update before it is given up (counted across restarts)."""
RETRY_DELAY = 0.3

ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
"""The update types Parley handles, all it asks Telegram for (getUpdates, setWebhook):
messages and their edits, button presses, and the bot being added to a group (to leave)."""

MEDIA = (
    ("sticker", "sticker"),
    ("photo", "photo"),
    ("voice", "voice"),
    ("video_note", "video_note"),
    ("video", "video"),
    ("animation", "animation"),
    ("audio", "audio"),
    ("document", "document"),
    ("location", "location"),
    ("venue", "location"),
    ("contact", "contact"),
    ("poll", "poll"),
    ("dice", "dice"),
)
"""(Message attribute, kind): the kind's name is the phrase `media_<kind>` ("a sticker")."""


def media_of(message: Message) -> str | None:
    """What a non-text message is (a kind of MEDIA, "forwarded" or "other"); None for text."""
    if message.forward_origin is not None:
        return "forwarded"
    for attribute, kind in MEDIA:
        if getattr(message, attribute, None):
            return kind
    return None if message.text is not None else "other"


def _text(text: str | None) -> str | None:
    """Text as the database can keep it: Telegram never sends NUL, and PostgreSQL refuses it."""
    return text.replace("\x00", "") if text is not None else None


class UpdateHandler:
    """The one PTB handler: every update passes through `on_update`."""

    def __init__(
        self, service: CoachService, content: Content, sender: OutboxSender, metrics: Metrics
    ) -> None:
        self.service = service
        self.content = content
        self.sender = sender
        self.metrics = metrics

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Route one update and log one line for it (never its text)."""
        started = time.perf_counter()
        kind, state = await self._route_or_give_up(update)
        elapsed = time.perf_counter() - started
        self.metrics.update_handled(kind, elapsed)
        if not log.isEnabledFor(logging.INFO):
            return  # the chat's hash costs an HMAC per update, for a line nobody keeps
        chat = update.effective_chat
        log.info(
            "update id=%d chat=%s kind=%s state=%s latency_ms=%.1f",
            update.update_id,
            chat_hash(chat.id) if chat is not None else "-",
            kind,
            state,
            elapsed * 1000,
        )

    async def _route_or_give_up(self, update: Update) -> tuple[str, str]:
        """Handle the update; when handling raises, try again (the chat's later updates wait,
        in order) up to MAX_ATTEMPTS failures counted on its inbox row, across restarts. Then
        it is given up: marked failed, the person told in one line that it was not saved,
        counted in the metrics, and the chat's later messages go on."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await self._route(update)
            except Exception as exc:
                self.metrics.error("handler")
                log.exception("update failed id=%d attempt=%d", update.update_id, attempt)
                reason = f"{type(exc).__name__} while handling"
                text = self.content.say("update_failed", "html")
                outcome, messages = await self.sender.db(
                    self.service.update_failed,
                    CHANNEL,
                    update.update_id,
                    reason,
                    MAX_ATTEMPTS,
                    text,
                )
                if outcome == "handled":
                    return "other", "-"
                if outcome == "given_up":
                    self.metrics.error("update_failed")
                    log.error("update given up id=%d attempts=%d", update.update_id, attempt)
                    if messages:
                        await self.sender.deliver(messages)
                    return "failed", "-"
                await asyncio.sleep(RETRY_DELAY * attempt)
        return "failed", "-"

    async def _route(self, update: Update) -> tuple[str, str]:
        """Handle the update; returns (kind, session state) for the log line."""
        chat = update.effective_chat
        user = update.effective_user
        if chat is None or user is None:
            await self._claim(update)
            return "other", "-"
        if chat.type != ChatType.PRIVATE:
            await self._leave_group(update, chat.id)
            return "group", "-"
        if user.id != chat.id:
            # In a private chat the sender is the chat: Telegram never sends anything else, so
            # this was forged (or a bug); answering would act for one person, reply to another.
            await self._claim(update)
            self.metrics.error("sender_not_chat")
            log.info("update refused id=%d reason=sender-not-chat", update.update_id)
            return "refused", "-"
        if update.edited_message is not None:
            await self._fixed_reply(update, chat.id, "edited_message")
            return "edited", "-"
        query = update.callback_query
        message = update.message
        if query is None and message is None:
            await self._claim(update)
            return "other", "-"
        media = media_of(message) if message is not None else None
        inbound = Inbound(
            channel=CHANNEL,
            user_ref=str(user.id),
            chat_id=str(chat.id),
            delivery_id=str(update.update_id),
            text=_text(message.text) if message is not None and media is None else None,
            button=query.data if query is not None else None,
            media=self.content.say(f"media_{media}", "text") if media is not None else None,
            display_name=_text(user.first_name) or "",
            inbox_id=update.update_id,
            message_id=message.message_id if message is not None else None,
        )
        reply = await self.sender.db(self.service.handle, inbound)
        pressed_on = query.message.message_id if query is not None and query.message else None
        answered = self.sender.keyboards.obsolete(str(chat.id), reply, pressed_on)
        work: list[Awaitable[object]] = []
        if reply.messages or answered is not None:
            work.append(self._reply(reply.messages, chat.id, answered))
        if query is not None:
            # The toast and the old keyboard's update go out alongside the next question.
            work.append(self._acknowledge(update, reply.notice, reply.pressed, reply.chosen))
        await asyncio.gather(*work)
        if query is not None:
            kind = "button"
        elif media is not None:
            kind = "media"
        elif message is not None and (message.text or "").startswith("/"):
            kind = "command"
        else:
            kind = "text"
        return kind, reply.state

    async def _reply(
        self, messages: Sequence[Outbound], chat_id: int, answered: int | None
    ) -> None:
        """Send the reply, then remove the buttons of a question answered by typing: after the
        reply, so the user never waits for it (~1 ms of CPU for the extra request)."""
        if messages:
            await self.sender.deliver(messages)
        if answered is not None:
            await self.sender.retire_keyboard(chat_id, answered)

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

    async def _leave_group(self, update: Update, chat_id: int) -> None:
        """Parley coaches one to one: in a group it says so once, then leaves (so the group's
        later messages never reach it). Its own leaving is only recorded."""
        member = update.my_chat_member
        if member is not None and member.new_chat_member.status in ("left", "kicked"):
            await self._claim(update)
            return
        await self._fixed_reply(update, chat_id, "group_chat")
        try:
            await self.sender.bot.leave_chat(chat_id)
        except TelegramError as exc:
            log.info("group not left error=%s", type(exc).__name__)

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
