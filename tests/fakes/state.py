"""What the fake Telegram remembers: chats, messages, pending updates, recorded calls.

The server thread writes this state and the test thread reads it (and queues user updates), so
every access goes through one lock; a condition variable lets the synchronous waiting helpers
sleep until the bot does something instead of polling in tight loops. Readers get deep copies,
so a test never sees a message change under its feet.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from . import rules
from .api_spec import JsonDict, UploadedFile, bad_request

T = TypeVar("T")
Button = tuple[str, str | None]


@dataclass
class SentFile:
    """A document or photo the bot sent; ``content`` is None when sent by file_id or URL."""

    file_id: str
    file_unique_id: str
    filename: str | None
    content: bytes | None
    mime_type: str | None = None
    source: str | None = None


@dataclass
class MessageVersion:
    """An earlier version of an edited bot message."""

    text: str | None
    caption: str | None
    parse_mode: str | None
    reply_markup: JsonDict | None
    at: float


@dataclass
class BotMessage:
    """A message the bot sent (``history`` holds earlier versions, oldest first)."""

    chat_id: int
    message_id: int
    date: int
    text: str | None = None
    plain_text: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    reply_markup: JsonDict | None = None
    reply_to: int | None = None
    """The message this one replies to (sendMessage's reply_parameters.message_id)."""
    document: SentFile | None = None
    photo: SentFile | None = None
    history: list[MessageVersion] = field(default_factory=list)
    edit_date: int | None = None
    deleted: bool = False
    seq: int = 0
    updated_seq: int = 0

    def to_api(self, bot_user: JsonDict, chat: JsonDict) -> JsonDict:
        """The Message object Telegram returns (and puts in callback_query.message)."""
        out: JsonDict = {"message_id": self.message_id, "from": bot_user, "chat": chat}
        out["date"] = self.date
        if self.edit_date is not None:
            out["edit_date"] = self.edit_date
        if self.plain_text is not None:
            out["text"] = self.plain_text
        if self.document is not None:
            doc = self.document
            out["document"] = {"file_id": doc.file_id, "file_unique_id": doc.file_unique_id}
            if doc.filename:
                out["document"]["file_name"] = doc.filename
            if doc.mime_type:
                out["document"]["mime_type"] = doc.mime_type
            if doc.content is not None:
                out["document"]["file_size"] = len(doc.content)
        if self.photo is not None:
            size = {"file_id": self.photo.file_id, "file_unique_id": self.photo.file_unique_id}
            out["photo"] = [{**size, "width": 320, "height": 240}]
        if self.caption is not None:
            out["caption"] = rules.visible_text(self.caption, self.parse_mode)
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            out["reply_markup"] = self.reply_markup
        return out

    @property
    def buttons(self) -> list[list[Button]]:
        """Inline keyboard rows as (text, callback_data); url buttons have data None."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[(b.get("text", ""), b.get("callback_data")) for b in row] for row in rows]

    @property
    def button_texts(self) -> list[str]:
        """All inline button labels, flattened, for short assertions."""
        return [text for row in self.buttons for text, _ in row]

    @property
    def shown(self) -> str:
        """What the user sees as the message's words: visible text, else the caption."""
        return self.plain_text or self.text or self.caption or ""


@dataclass
class UserMessage:
    """A message a user sent (``payload`` is the Message JSON delivered in the update)."""

    chat_id: int
    message_id: int
    user_id: int
    date: int
    kind: str
    text: str | None
    payload: JsonDict
    deleted: bool = False


@dataclass
class CallbackQuery:
    """A button press and the bot's answer to it, if any."""

    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass
class RecordedCall:
    """One Bot API request as the fake received and answered it."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    at: float
    status: int = 200
    response: JsonDict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class ChatState:
    chat: JsonDict
    messages: dict[int, BotMessage | UserMessage] = field(default_factory=dict)
    next_message_id: int = 1
    chat_actions: list[str] = field(default_factory=list)
    blocked: bool = False
    left: bool = False
    """The bot left this group (leaveChat): its messages no longer reach the bot."""


class FakeState:
    """Thread-safe store shared by the server thread and the test thread."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.chats: dict[int, ChatState] = {}
        self.updates: list[JsonDict] = []
        self.next_update_id = 1
        self.confirmed_offset = 0
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.recorded: list[RecordedCall] = []
        self.commands: dict[str, list[JsonDict]] = {}
        self.descriptions: dict[str, str] = {}
        self.allowed_updates: list[str] | None = None
        """What getUpdates/setWebhook asked for last; None: Telegram's default (all but a few)."""
        self.webhook_url = ""
        self.on_update: Callable[[], None] = lambda: None
        self._seq = 0
        self._query_seq = 0

    def read(self, fn: Callable[[FakeState], T]) -> T:
        """Run ``fn`` under the lock and return a deep copy of its result."""
        with self.lock:
            return copy.deepcopy(fn(self))

    def touch(self) -> int:
        """Bump the change sequence and wake waiters; returns the new sequence number."""
        with self.lock:
            self._seq += 1
            self.changed.notify_all()
            return self._seq

    @property
    def seq(self) -> int:
        with self.lock:
            return self._seq

    def wait_until(self, check: Callable[[], T | None], timeout: float) -> T | None:
        """Block the calling (test) thread until ``check()`` is truthy or the timeout passes."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                result = check()
                remaining = deadline - time.monotonic()
                if result or remaining <= 0:
                    return copy.deepcopy(result) if result else None
                self.changed.wait(remaining)

    # chats and messages

    def ensure_chat(self, chat: JsonDict) -> ChatState:
        with self.lock:
            state = self.chats.get(chat["id"])
            if state is None:
                state = self.chats[chat["id"]] = ChatState(chat=chat)
            return state

    def chat(self, chat_id: Any) -> ChatState:
        """The chat a bot call targets; unknown chats fail the way Telegram fails them."""
        with self.lock:
            if isinstance(chat_id, int) and chat_id in self.chats:
                return self.chats[chat_id]
            for state in self.chats.values():
                username = state.chat.get("username")
                if isinstance(chat_id, str) and username and chat_id == f"@{username}":
                    return state
            raise bad_request("chat not found")

    def new_message_id(self, chat: ChatState) -> int:
        with self.lock:
            message_id = chat.next_message_id
            chat.next_message_id += 1
            return message_id

    def add_message(self, chat: ChatState, message: BotMessage | UserMessage) -> None:
        with self.lock:
            if isinstance(message, BotMessage):
                message.seq = message.updated_seq = self._seq + 1
            chat.messages[message.message_id] = message
            self.touch()

    # updates

    def queue_update(self, kind: str, payload: JsonDict) -> int:
        """Append an update (``kind`` is e.g. "message"); long polls are woken."""
        with self.lock:
            update_id = self.next_update_id
            self.next_update_id += 1
            self.updates.append({"update_id": update_id, kind: payload})
            self.touch()
        self.on_update()
        return update_id

    def take_updates(self, offset: int | None, limit: int) -> list[JsonDict]:
        """Telegram's getUpdates offset semantics: confirm everything below ``offset``."""
        with self.lock:
            if offset is not None and offset < 0:
                self.updates = self.updates[offset:]
            elif offset:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if offset > self.confirmed_offset:
                    self.confirmed_offset = offset
                    self.touch()
            return copy.deepcopy(self.updates[:limit])

    def new_query_id(self) -> str:
        with self.lock:
            self._query_seq += 1
            return f"{int(time.time())}{self._query_seq:06d}"

    def record(self, call: RecordedCall) -> None:
        with self.lock:
            self.recorded.append(call)
            self.touch()
