"""What crosses the coach service's boundary: a message in, messages out, session summaries.

Adapters (Telegram, console, web, CLI) build an `Inbound` and send each `Outbound` of the
`Reply`; none of them sees a turn or a database row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.coach.attachments import Attachment, attachment_of
from bot.engine.render import Format

FORMATS: dict[str, Format] = {"console": "text", "telegram": "html", "web": "html"}


@dataclass(frozen=True)
class Inbound:
    """A message or button press, whatever it arrived by.

    `delivery_id` is unique per delivery (Telegram's update id); a second delivery with the same
    id does nothing. `media` names non-text content (\"a sticker\") so it can be answered.
    """

    channel: str
    user_ref: str
    chat_id: str
    delivery_id: str
    text: str | None = None
    button: str | None = None
    media: str | None = None
    display_name: str = ""
    inbox_id: int | None = None
    message_id: int | None = None
    """The person's message on their channel (Telegram's message id), so a short answer to
    it can be sent as a reply to it; None where replies don't exist (the console)."""


@dataclass(frozen=True)
class Outbound:
    outbox_id: int
    chat_id: str
    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()
    kind: str = "info"
    progress: tuple[int, int] | None = None
    attachment: Attachment | None = None
    question: str | None = None
    """For a question: its id (the session's state while it waits for the answer)."""
    reply_to: int | None = None
    """The person's message this answers (`Inbound.message_id`), shown as a reply to it."""

    @property
    def options(self) -> list[tuple[str, str]]:
        return [button for row in self.buttons for button in row]


@dataclass(frozen=True)
class Reply:
    messages: list[Outbound] = field(default_factory=list)
    notice: str | None = None
    duplicate: bool = False
    pressed: str | None = None
    """For a button press: "accepted", "stale" or "refused" (adapters update the keyboard)."""
    chosen: str | None = None
    """For an accepted answer button: the option as the user saw it."""
    state: str = "-"
    """The session's state after this message (for logs)."""


@dataclass(frozen=True)
class SessionSummary:
    id: int
    title: str
    status: str
    state: str
    user: str
    script: str
    script_version: int
    started_at: str
    updated_at: str

    def as_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def outbound(row_id: int, chat_id: str, payload: dict[str, Any]) -> Outbound:
    buttons = tuple(
        tuple((str(label), str(data)) for label, data in row) for row in payload.get("buttons", [])
    )
    progress = payload.get("progress")
    return Outbound(
        outbox_id=row_id,
        chat_id=chat_id,
        text=str(payload["text"]),
        buttons=buttons,
        kind=str(payload.get("kind", "info")),
        progress=(int(progress[0]), int(progress[1])) if isinstance(progress, list) else None,
        attachment=attachment_of(payload),
        question=str(payload["question"]) if payload.get("question") else None,
        reply_to=int(payload["reply_to"]) if payload.get("reply_to") else None,
    )
