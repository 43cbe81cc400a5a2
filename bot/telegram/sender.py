"""Send what the coach service put in the outbox, then mark it delivered.

Messages are sent in order per chat, after the transaction that wrote them committed, each
paced to Telegram's limits (bot/telegram/pacing.py) so that a 429 is rare. A 429
(`RetryAfter`) waits as long as Telegram asks, and a network error backs off and retries; both
wait only inside the chat's own task, so other chats go on. `Forbidden` means the user blocked
the bot: the user is marked inactive and their pending messages are given up, never retried
forever. Whatever could not be sent stays in the outbox for the next sweep or start-up.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Sequence
from datetime import timedelta

from telegram import Bot, InputFile
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBUserWarning

from bot.coach.messages import Outbound
from bot.coach.service import CoachService
from bot.engine.render import split_message
from bot.telegram.blocking import DatabaseThread
from bot.telegram.keyboards import OpenKeyboards
from bot.telegram.metrics import Metrics
from bot.telegram.ordering import ChatLocks
from bot.telegram.pacing import Pacer
from bot.telegram.render import keyboard, keyboard_json, message_text

log = logging.getLogger(__name__)
# do_api_request warns that Bot.send_message etc. exist; the raw calls are on purpose (_transmit).
warnings.filterwarnings(
    "ignore", message=".*Bot.(sendMessage|editMessageReplyMarkup)", category=PTBUserWarning
)

CHANNEL = "telegram"
MARK_EVERY = 0.2
CAPTION_LIMIT = 1024  # visible characters; the rest of a longer text follows as a message
NO_PREVIEW = {"link_preview_options": {"is_disabled": True}}
"""No message gets a link preview: a sign-in link must not be opened by Telegram's preview
fetcher (it works once), and no other message needs one."""


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class OutboxSender:
    """Delivers outbox messages for one bot; safe to call from many chats at once."""

    def __init__(
        self,
        bot: Bot,
        service: CoachService,
        locks: ChatLocks,
        db: DatabaseThread,
        metrics: Metrics,
        max_attempts: int = 6,
        pacer: Pacer | None = None,
    ) -> None:
        self.metrics = metrics
        self.bot = bot
        self.service = service
        self.db = db
        self._delivered: list[int] = []
        self.batch_marks = True
        """Several workers set this False: a mark must be written before another worker could
        look, or a worker dying inside the batch window would make another send it again."""
        self._flusher: asyncio.Task[None] | None = None
        self.locks = locks
        self.max_attempts = max_attempts
        self.pacer = pacer or Pacer(None)
        """Holds each message until Telegram's limits allow it (bot/telegram/pacing.py)."""
        self.keyboards = OpenKeyboards()
        """The last question with buttons in each chat (retired when answered by typing)."""

    async def deliver(self, messages: Sequence[Outbound]) -> bool:
        """Send in order; stop at the first message that could not go (order matters)."""
        if any(m.kind == "report" for m in messages):
            await self._typing(messages[0].chat_id)
        for message in messages:
            if not await self._send(message):
                return False
            if self.batch_marks:
                self._mark_later(message.outbox_id)
            else:
                await self.db(self.service.mark_delivered, [message.outbox_id])
        return True

    def _mark_later(self, outbox_id: int) -> None:
        """Delivered marks are written in batches (DESIGN.md: keep commits per update low).
        A crash inside the batch window means those messages are sent once more at start-up."""
        self._delivered.append(outbox_id)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(MARK_EVERY)
        await self.flush()

    async def flush(self) -> None:
        """Write every pending delivered mark now (before a sweep and at shutdown)."""
        ids, self._delivered = self._delivered, []
        if ids:
            await self.db(self.service.mark_delivered, ids)

    async def _typing(self, chat_id: str) -> None:
        try:
            await self.bot.send_chat_action(chat_id=int(chat_id), action=ChatAction.TYPING)
        except (NetworkError, Forbidden, BadRequest):
            log.info("typing indicator not sent chat=%s", hash(chat_id))

    async def _send(self, message: Outbound) -> bool:
        delay = 0.5
        for attempt in range(1, self.max_attempts + 1):
            if waited := await self.pacer.wait(int(message.chat_id)):
                self.metrics.paced(waited)
            try:
                await self._transmit(message)
                self.metrics.beat("sender")
                return True
            except RetryAfter as exc:
                wait = _seconds(exc.retry_after)
                self.metrics.error("rate_limited")
                log.info("rate limited retry_after=%.1fs attempt=%d", wait, attempt)
                await asyncio.sleep(wait)
            except Forbidden:
                self.metrics.error("blocked")
                await self.db(self.service.user_blocked, CHANNEL, message.chat_id, message.chat_id)
                return False
            except BadRequest:
                self.metrics.error("refused")
                log.exception("message refused by Telegram outbox_id=%d", message.outbox_id)
                await self.db(self.service.mark_failed, [message.outbox_id], "refused by Telegram")
                return True  # never blocks the messages after it
            except (TimedOut, NetworkError) as exc:
                self.metrics.error("network")
                log.warning("network error attempt=%d error=%s", attempt, type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        return False

    async def _transmit(self, message: Outbound) -> None:
        """One message: text, or a file with the text as its caption."""
        chat_id = int(message.chat_id)
        file = message.attachment
        if file is None:
            # Raw call: PTB's send_message would build a `Message` from the answer, and nothing
            # here reads more than its id (see docs/decisions.md for what it saves).
            params: dict[str, object] = {
                "chat_id": chat_id,
                "text": message_text(self.service.content, message),
                "parse_mode": ParseMode.HTML.value,
                **NO_PREVIEW,
            }
            if message.buttons:
                params["reply_markup"] = keyboard_json(message)
            if message.reply_to is not None:
                # A reply to the person's message; sent anyway if they deleted it meanwhile.
                params["reply_parameters"] = {
                    "message_id": message.reply_to,
                    "allow_sending_without_reply": True,
                }
            sent = await self.bot.do_api_request("sendMessage", api_kwargs=params)
            if message.question is not None and message.buttons and isinstance(sent, dict):
                self.keyboards.shown(message.chat_id, int(sent["message_id"]), message.question)
            return
        upload = InputFile(file.data, filename=file.filename)
        # Telegram counts a caption's visible characters; the rest follows as messages, split
        # where no tag or entity is cut (bot/engine/render.py split_message).
        first, *rest = split_message(message.text, CAPTION_LIMIT) if message.text else [""]
        caption = first or None
        if file.media == "photo":
            await self.bot.send_photo(
                chat_id=chat_id,
                photo=upload,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(message),
            )
        else:
            await self.bot.send_document(
                chat_id=chat_id,
                document=upload,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(message),
            )
        for part in rest:
            await self.pacer.wait(chat_id)
            await self.bot.do_api_request(
                "sendMessage", api_kwargs={**NO_PREVIEW, "chat_id": chat_id, "text": part,
                                           "parse_mode": ParseMode.HTML.value},
            )  # fmt: skip

    async def retire_keyboard(self, chat_id: int, message_id: int) -> None:
        """Remove an answered question's buttons; best effort (the stale-button answer covers
        a keyboard that stays), so a failure is logged, never retried."""
        try:
            # Raw for the same reason as sendMessage; no reply_markup removes the keyboard.
            await self.bot.do_api_request(
                "editMessageReplyMarkup", api_kwargs={"chat_id": chat_id, "message_id": message_id}
            )
        except TelegramError as exc:
            log.info("old keyboard not removed error=%s", type(exc).__name__)

    async def sweep(self) -> None:
        """Send every chat's undelivered messages (start-up and periodically)."""
        await self.flush()
        pending = await self.db(self.service.pending, CHANNEL)
        chats = sorted({m.chat_id for m in pending})
        if chats:
            log.info("outbox sweep chats=%d messages=%d", len(chats), len(pending))
        await asyncio.gather(*(self._sweep_chat(chat) for chat in chats))

    async def send_pending(self, chat_id: int) -> None:
        """Send one chat's undelivered messages; the caller holds that chat's locks."""
        await self.flush()
        fresh = await self.db(self.service.pending, CHANNEL, str(chat_id))
        if fresh:
            await self.deliver(fresh)

    async def _sweep_chat(self, chat_id: str) -> None:
        async def send_under_lock() -> None:
            # Re-read under the chat's lock: a handler may have sent them meanwhile.
            await self.flush()
            fresh = await self.db(self.service.pending, CHANNEL, chat_id)
            if fresh:
                await self.deliver(fresh)

        await self.locks.run(int(chat_id), send_under_lock())
