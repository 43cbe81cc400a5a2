"""Test-side actors: a Telegram user in a private chat with the bot, and a group chat.

Tests read like the conversation they check (``user.says(...)``, ``user.presses("Them")``,
``user.wait_for_reply()``), and each action becomes the update JSON Telegram would deliver,
so the bot's update parsing is exercised exactly as in production.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from .api_spec import JsonDict
from .chat_view import ChatView
from .state import CallbackQuery, FakeState, UserMessage


def _file(kind: str, seed: str) -> JsonDict:
    """Plausible file_id / file_unique_id pair, stable for the same seed."""
    digest = hashlib.sha1(f"{kind}:{seed}".encode()).hexdigest()
    return {"file_id": f"{kind[:2].upper()}AC{digest[:24]}", "file_unique_id": digest[:12]}


def _command(command: str, args: str | None, mention: str | None) -> JsonDict:
    command = command if command.startswith("/") else f"/{command}"
    if mention:
        command = f"{command}@{mention}"
    text = f"{command} {args}" if args else command
    entity = {"offset": 0, "length": len(command.encode("utf-16-le")) // 2, "type": "bot_command"}
    return {"text": text, "entities": [entity]}


class TelegramUser(ChatView):
    """A user in their private chat with the bot (chat id == user id)."""

    def __init__(
        self,
        state: FakeState,
        bot_user: JsonDict,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> None:
        self.user_id = user_id
        self.first_name = first_name
        optional = {"last_name": last_name, "username": username}
        names = {k: v for k, v in optional.items() if v is not None}
        self.user_json: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        self.user_json.update(names)
        if language_code is not None:
            self.user_json["language_code"] = language_code
        chat = {"id": user_id, "type": "private", "first_name": first_name, **names}
        super().__init__(state, bot_user, chat)
        self._last_query: str | None = None

    # speaking

    def says(self, text: str) -> UserMessage:
        """Send a plain text message."""
        return self._post(self.user_json, "text", text=text)

    def sends_command(self, command: str, args: str | None = None) -> UserMessage:
        """Send ``/command [args]`` with the bot_command entity Telegram adds."""
        return self._post(self.user_json, "command", **_command(command, args, None))

    def sends_sticker(self, emoji: str = "👍") -> UserMessage:
        sticker = {**_file("sticker", emoji), "type": "regular", "width": 512, "height": 512}
        sticker.update(is_animated=False, is_video=False, emoji=emoji)
        return self._post(self.user_json, "sticker", sticker=sticker)

    def sends_photo(self, caption: str | None = None) -> UserMessage:
        sizes = [
            {**_file("photo", f"{w}"), "width": w, "height": w * 3 // 4, "file_size": w * 40}
            for w in (90, 320, 1280)
        ]
        return self._post(self.user_json, "photo", photo=sizes, **_caption(caption))

    def sends_voice(self, duration: int = 3) -> UserMessage:
        voice = {**_file("voice", str(duration)), "duration": duration, "mime_type": "audio/ogg"}
        voice["file_size"] = duration * 4000
        return self._post(self.user_json, "voice", voice=voice)

    def sends_document(
        self,
        filename: str = "notes.txt",
        content: bytes = b"hello",
        mime_type: str = "text/plain",
        caption: str | None = None,
    ) -> UserMessage:
        document = {**_file("document", filename), "file_name": filename, "mime_type": mime_type}
        document["file_size"] = len(content)
        return self._post(self.user_json, "document", document=document, **_caption(caption))

    def sends_location(self, latitude: float = 38.7223, longitude: float = -9.1393) -> UserMessage:
        location = {"latitude": latitude, "longitude": longitude}
        return self._post(self.user_json, "location", location=location)

    def sends_contact(
        self, phone_number: str = "+351910000000", first_name: str = "Bo"
    ) -> UserMessage:
        contact = {"phone_number": phone_number, "first_name": first_name}
        return self._post(self.user_json, "contact", contact=contact)

    def forwards(self, text: str, from_name: str = "Someone Else") -> UserMessage:
        """Forward a text from a user with hidden forwards (``forward_origin`` hidden_user)."""
        origin: JsonDict = {"type": "hidden_user", "sender_user_name": from_name}
        origin["date"] = int(time.time()) - 3600
        return self._post(self.user_json, "forward", text=text, forward_origin=origin)

    def edits_message(self, message_id: int, new_text: str) -> UserMessage:
        """Edit one of this user's messages; the bot receives an ``edited_message`` update."""
        with self.state.lock:
            mark = self.state.seq
            message = self._chat().messages.get(message_id)
            if not isinstance(message, UserMessage) or message.user_id != self.user_id:
                raise AssertionError(
                    f"message {message_id} is not a message {self.first_name} sent"
                )
            message.text = new_text
            message.payload.update(text=new_text, edit_date=int(time.time()))
            self.state.queue_update("edited_message", dict(message.payload))
            self._action_mark = self._reply_mark = mark
            return self.state.read(lambda _: message)

    # buttons

    def presses(self, text: str, message_id: int | None = None) -> str:
        """Press the inline button labelled ``text`` on the latest keyboard (or message_id)."""
        self._last_query = self._press(self.user_json, text, None, message_id)
        return self._last_query

    def presses_data(self, data: str, message_id: int | None = None) -> str:
        """Send raw (possibly forged) callback data for the latest keyboard (or any message_id)."""
        self._last_query = self._press(self.user_json, None, data, message_id)
        return self._last_query

    def callback_answers(self) -> list[CallbackQuery]:
        """This user's button presses with the bot's answers (``answered``, ``text``...)."""
        return self.state.read(
            lambda s: [q for q in s.callback_queries.values() if q.user_id == self.user_id]
        )

    def wait_for_callback_answer(
        self, query_id: str | None = None, timeout: float = 10.0
    ) -> CallbackQuery:
        """Wait until the bot answers the query (default: the latest press)."""
        wanted = query_id or self._last_query
        if wanted is None:
            raise AssertionError(f"{self.first_name} has not pressed any button")

        def check() -> CallbackQuery | None:
            query = self.state.callback_queries[wanted]
            return query if query.answered else None

        found = self.state.wait_until(check, timeout)
        if found is None:
            raise self._timeout(f"an answer to callback query {wanted}", timeout)
        return found


def _caption(caption: str | None) -> dict[str, Any]:
    return {"caption": caption} if caption is not None else {}


class TelegramGroup(ChatView):
    """A group chat (supergroup for ``-100…`` ids) with the bot in it."""

    def __init__(self, state: FakeState, bot_user: JsonDict, chat_id: int, title: str) -> None:
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        super().__init__(state, bot_user, {"id": chat_id, "type": kind, "title": title})
        self.title = title

    def user_says(self, user: TelegramUser, text: str) -> UserMessage:
        """``user`` writes ``text`` in the group."""
        return self._post(user.user_json, "text", text=text)

    def user_sends_command(
        self, user: TelegramUser, command: str, args: str | None = None, mention: bool = True
    ) -> UserMessage:
        """``/command@bot args`` in the group (the mention is how groups address a bot)."""
        bot_name = self.bot_user.get("username") if mention else None
        return self._post(user.user_json, "command", **_command(command, args, bot_name))

    def user_presses(self, user: TelegramUser, text: str, message_id: int | None = None) -> str:
        """``user`` presses an inline button on the bot's latest keyboard in the group."""
        return self._press(user.user_json, text, None, message_id)
