"""Reading a chat and waiting for the bot, shared by the private-chat and group helpers.

The bot under test runs concurrently (another thread or process), so a test can't assert right
after ``user.says(...)``; it has to wait for the reply. The waits block on the state's condition
variable (no busy polling) and, on timeout, fail with the chat transcript and the bot's failed
API calls, which is usually all you need to see why the bot stayed silent.
"""

from __future__ import annotations

import copy
import time
import zlib
from collections.abc import Callable
from typing import Any

from .api_spec import JsonDict
from .state import BotMessage, CallbackQuery, ChatState, FakeState, UserMessage


class ChatView:
    """One chat as a test sees it: the bot's messages, plus waits for new ones."""

    def __init__(self, state: FakeState, bot_user: JsonDict, chat: JsonDict) -> None:
        self.state = state
        self.bot_user = bot_user
        self.chat = chat
        self.chat_id: int = chat["id"]
        state.ensure_chat(chat)
        self._action_mark = self._reply_mark = state.seq

    # reading

    def _chat(self) -> ChatState:
        return self.state.chats[self.chat_id]

    def _bot_messages(self, include_deleted: bool = False) -> list[BotMessage]:
        return [
            m
            for m in self._chat().messages.values()
            if isinstance(m, BotMessage) and (include_deleted or not m.deleted)
        ]

    def messages(self, include_deleted: bool = False) -> list[BotMessage]:
        """The bot's messages in this chat, oldest first (snapshots)."""
        return self.state.read(lambda _: self._bot_messages(include_deleted))

    def last_message(self) -> BotMessage:
        """The bot's latest message; fails the test if the bot has said nothing."""
        messages = self.messages()
        if not messages:
            raise AssertionError(f"the bot has sent nothing in chat {self.chat_id}")
        return messages[-1]

    def user_messages(self) -> list[UserMessage]:
        """What users sent in this chat, oldest first."""
        return self.state.read(
            lambda _: [m for m in self._chat().messages.values() if isinstance(m, UserMessage)]
        )

    def chat_actions(self) -> list[str]:
        """sendChatAction actions ("typing", ...) in this chat, in order."""
        return self.state.read(lambda _: self._chat().chat_actions)

    # waiting

    def wait_for_reply(self, timeout: float = 10.0) -> BotMessage:
        """The next new bot message after the last action (successive calls walk the replies)."""

        def check() -> BotMessage | None:
            new = (m for m in self._bot_messages() if m.seq > self._reply_mark)
            return next(new, None)

        found = self.state.wait_until(check, timeout)
        if found is None:
            raise self._timeout("a reply", timeout)
        self._reply_mark = found.seq
        return found

    def wait_for(
        self,
        predicate: Callable[[BotMessage], bool],
        timeout: float = 10.0,
        *,
        since_last_action: bool = True,
        description: str = "a message matching the predicate",
    ) -> BotMessage:
        """The first bot message (new or edited since the last action) satisfying predicate."""

        def check() -> BotMessage | None:
            for message in self._bot_messages():
                fresh = message.updated_seq > self._action_mark or not since_last_action
                if fresh and predicate(copy.deepcopy(message)):
                    return message
            return None

        found = self.state.wait_until(check, timeout)
        if found is None:
            raise self._timeout(description, timeout)
        return found

    def wait_for_text(self, substring: str, timeout: float = 10.0) -> BotMessage:
        """A bot message whose visible text, raw text or caption contains ``substring``."""
        return self.wait_for(
            lambda m: any(substring in (t or "") for t in (m.shown, m.text, m.caption)),
            timeout,
            description=f"a message containing {substring!r}",
        )

    def _timeout(self, what: str, timeout: float) -> AssertionError:
        return AssertionError(
            f"timed out after {timeout}s waiting for {what} in chat {self.chat_id}.\n"
            + self.transcript()
        )

    def transcript(self) -> str:
        """The chat so far and the bot's recent failed API calls, for failure messages."""
        with self.state.lock:
            lines = ["Chat so far:"]
            for m in self._chat().messages.values():
                lines.append(f"  {_describe(m)}")
            if len(lines) == 1:
                lines.append("  (empty)")
            failed = [c for c in self.state.recorded if not c.ok][-8:]
            if failed:
                lines.append("Failed Bot API calls (latest last):")
                for call in failed:
                    desc = call.response.get("description", "connection dropped")
                    lines.append(f"  {call.method} {_short(call.params)} -> {desc}")
            return "\n".join(lines)

    # acting

    def _post(self, sender: JsonDict, kind: str, **fields: Any) -> UserMessage:
        """Record a user message and queue it as a ``message`` update."""
        with self.state.lock:
            mark = self.state.seq
            chat = self._chat()
            payload: JsonDict = {"message_id": self.state.new_message_id(chat), "from": sender}
            payload.update(chat=self.chat, date=int(time.time()), **fields)
            text = fields.get("text", fields.get("caption"))
            message = UserMessage(
                self.chat_id,
                payload["message_id"],
                sender["id"],
                payload["date"],
                kind,
                text,
                payload,
            )
            self.state.add_message(chat, message)
            if not chat.left:  # Telegram delivers nothing from a group the bot left
                self.state.queue_update("message", copy.deepcopy(payload))
            self._action_mark = self._reply_mark = mark
            return copy.deepcopy(message)

    def _press(
        self, sender: JsonDict, text: str | None, data: str | None, message_id: int | None
    ) -> str:
        """Queue a callback_query for a button of a bot message; returns the query id."""
        with self.state.lock:
            mark = self.state.seq
            message = self._keyboard_message(message_id, text is None and message_id is not None)
            if text is not None:
                data = _button_data(message, text)
            assert data is not None
            query_id = self.state.new_query_id()
            instance = zlib.crc32(f"{self.bot_user['id']}:{self.chat_id}".encode())
            payload: JsonDict = {"id": query_id, "from": sender, "chat_instance": str(instance)}
            payload["message"] = message.to_api(self.bot_user, self.chat)
            payload["data"] = data
            self.state.callback_queries[query_id] = CallbackQuery(
                query_id, sender["id"], self.chat_id, message.message_id, data
            )
            self.state.queue_update("callback_query", payload)
            self._action_mark = self._reply_mark = mark
            return query_id

    def _keyboard_message(self, message_id: int | None, any_message: bool = False) -> BotMessage:
        """The latest keyboard message, or ``message_id`` (forged data may target any)."""
        candidates = [m for m in self._bot_messages() if m.buttons or any_message]
        if message_id is not None:
            candidates = [m for m in candidates if m.message_id == message_id]
        if not candidates:
            where = f"message {message_id}" if message_id is not None else "any bot message"
            raise AssertionError(f"no inline keyboard on {where}.\n{self.transcript()}")
        return candidates[-1]


def _button_data(message: BotMessage, text: str) -> str:
    for row in message.buttons:
        for label, data in row:
            if label == text:
                if data is None:
                    raise AssertionError(f"button {text!r} has no callback_data (a URL button?)")
                return data
    raise AssertionError(
        f"no button {text!r} on message {message.message_id}; buttons: {message.button_texts}"
    )


def _short(params: dict[str, Any], limit: int = 160) -> str:
    text = repr({k: v for k, v in params.items() if k != "reply_markup"})
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(message: BotMessage | UserMessage) -> str:
    if isinstance(message, UserMessage):
        sender = message.payload["from"].get("first_name", message.user_id)
        return f"#{message.message_id} {sender}: {message.text or '<' + message.kind + '>'}"
    parts = [f"#{message.message_id} bot: {message.shown!r}"]
    if message.document is not None:
        size = len(message.document.content or b"")
        parts.append(f"[document {message.document.filename}, {size} bytes]")
    if message.photo is not None:
        parts.append("[photo]")
    if message.buttons:
        parts.append(f"[buttons: {' | '.join(message.button_texts)}]")
    if message.history:
        parts.append(f"(edited {len(message.history)}x)")
    if message.deleted:
        parts.append("(deleted)")
    return " ".join(parts)
