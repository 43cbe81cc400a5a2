"""Pieces of the Telegram adapter that need no network: ordering, rendering, splitting."""

from __future__ import annotations

import asyncio
from datetime import datetime

from telegram import Chat, Message, Update, User

from bot.coach.messages import Outbound
from bot.engine.content import Content
from bot.engine.render import split_message, to_plain
from bot.telegram.handlers import media_of
from bot.telegram.ordering import ChatLocks, ChatOrderedProcessor
from bot.telegram.render import keyboard, message_text, progress_line


def update(update_id: int, chat_id: int, text: str = "hi") -> Update:
    user = User(id=chat_id, first_name="Ana", is_bot=False)
    chat = Chat(id=chat_id, type="private")
    message = Message(
        message_id=update_id, date=datetime(2026, 11, 25), chat=chat, from_user=user, text=text
    )
    return Update(update_id=update_id, message=message)


async def test_one_chats_updates_are_handled_in_arrival_order() -> None:
    processor = ChatOrderedProcessor(ChatLocks())
    done: list[int] = []

    async def work(n: int, delay: float) -> None:
        await asyncio.sleep(delay)
        done.append(n)

    # The first update is the slowest; without the chat lock it would finish last.
    delays = [0.05, 0.0, 0.01, 0.0, 0.02]
    await asyncio.gather(
        *(processor.process_update(update(n, 7), work(n, d)) for n, d in enumerate(delays))
    )
    assert done == [0, 1, 2, 3, 4]


async def test_different_chats_are_handled_concurrently() -> None:
    processor = ChatOrderedProcessor(ChatLocks())
    done: list[int] = []

    async def work(chat: int, delay: float) -> None:
        await asyncio.sleep(delay)
        done.append(chat)

    await asyncio.gather(
        processor.process_update(update(1, 100), work(100, 0.05)),
        processor.process_update(update(2, 200), work(200, 0.0)),
    )
    assert done == [200, 100]


async def test_chat_locks_are_dropped_when_idle() -> None:
    locks = ChatLocks()

    async def nothing() -> None:
        return None

    await locks.run(5, nothing())
    assert locks._locks == {}


def test_progress_line_shows_position_and_a_bar(content: Content) -> None:
    assert progress_line(content, 15, 30) == "<i>Question 15 of about 30</i>  ▰▰▰▰▰▱▱▱▱▱"
    assert progress_line(content, 28, 28).endswith("▰" * 10)


def test_question_gets_progress_and_buttons_keep_their_rows(content: Content) -> None:
    message = Outbound(
        outbox_id=1,
        chat_id="5",
        text="Who needs it more?",
        buttons=((("I do", "v1:a:1:12:0"),), (("They do", "v1:a:1:12:1"),)),
        kind="question",
        progress=(12, 30),
    )
    assert message_text(content, message).startswith("<i>Question 12 of about 30</i>")
    markup = keyboard(message)
    assert markup is not None
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [["I do"], ["They do"]]
    assert all(len(b.callback_data.encode()) <= 64 for row in markup.inline_keyboard for b in row)  # type: ignore[union-attr]


def test_long_reports_split_at_paragraphs_under_the_limit() -> None:
    paragraphs = [f"<b>Lesson {n}</b>\n" + ("word &amp; " * 120) for n in range(12)]
    parts = split_message("\n\n".join(paragraphs), 4096)
    assert len(parts) > 1
    assert all(len(to_plain(part)) <= 4096 for part in parts)
    assert all(part.startswith("<b>Lesson") for part in parts)
    assert "\n\n".join(parts) == "\n\n".join(paragraphs)


def test_forwarded_text_is_not_taken_as_an_answer() -> None:
    plain = update(1, 5).message
    assert plain is not None
    assert media_of(plain) is None


def test_a_paragraph_longer_than_the_limit_is_split_at_lines() -> None:
    paragraph = "\n".join(f"line {n} " + "x" * 90 for n in range(100))
    parts = split_message(paragraph, 1000)
    assert all(len(part) <= 1000 for part in parts)
    assert "\n".join(parts) == paragraph
