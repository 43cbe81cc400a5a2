"""Which question's buttons are still on screen in each chat, so they can be retired.

A pressed keyboard is retired by the press itself (handlers.UpdateHandler._acknowledge). A
question answered by *typing* keeps its buttons ("I don't know", the options) under the old
message, and pressing one later only earns "that's an earlier question". So the sender notes the
last question it sent with buttons in each chat, and when a reply moves the chat on (it asks a
question again, or the session leaves that question) the handler removes the old keyboard,
alongside sending the reply: no extra round trip before the answer.

In memory only, and bounded: after a restart (or in another worker) an old keyboard can survive,
and pressing it still gets the polite stale-button answer.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from bot.coach.messages import Reply

LIMIT = 10_000  # chats remembered; the oldest is forgotten first (a few MB at most)


@dataclass(frozen=True)
class ShownKeyboard:
    message_id: int
    question: str


class OpenKeyboards:
    """The last question with buttons sent to each chat, until its keyboard is retired."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._open: OrderedDict[str, ShownKeyboard] = OrderedDict()

    def shown(self, chat_id: str, message_id: int, question: str) -> None:
        """A question with buttons was sent as `message_id`."""
        self._open[chat_id] = ShownKeyboard(message_id, question)
        self._open.move_to_end(chat_id)
        while len(self._open) > self.limit:
            self._open.popitem(last=False)

    def obsolete(self, chat_id: str, reply: Reply, pressed_message_id: int | None) -> int | None:
        """The message whose keyboard `reply` leaves behind (now forgotten), or None.

        Kept when the reply neither asks a question nor moves the session (a /help, a rejected
        answer to a free-text question): the question still waits for those buttons. A press
        on that very message retires its keyboard itself."""
        shown = self._open.get(chat_id)
        if shown is None or reply.duplicate:
            return None
        if pressed_message_id == shown.message_id:
            del self._open[chat_id]
            return None
        asks = any(message.kind == "question" for message in reply.messages)
        if not asks and reply.state == shown.question:
            return None
        del self._open[chat_id]
        return shown.message_id

    def __len__(self) -> int:
        return len(self._open)
