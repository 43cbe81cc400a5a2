"""Files sent with a message: a document (an export, a transcript) or a photo (the chart).

Files travel inside the outbox row (base64) so a document is sent exactly like a text reply:
after the commit, and again at start-up if a crash came first.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from bot.engine.render import Format


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (the message text is its caption).

    `media` is "document" or "photo"; `alt` is the text alternative a console prints and a
    screen reader needs (a chart says what it shows)."""

    media: str
    filename: str
    data: bytes
    alt: str = ""


def file_payload(
    media: str, filename: str, data: bytes, caption: str, fmt: Format, alt: str = ""
) -> dict[str, Any]:
    """An outbox payload carrying a file. Files travel inside the outbox row (base64) so a
    document or chart is sent exactly like a text reply: after the commit, again after a crash."""
    return {
        "text": caption,
        "kind": media,
        "format": fmt,
        "file": {
            "media": media,
            "name": filename,
            "b64": base64.b64encode(data).decode("ascii"),
            "alt": alt,
        },
    }


def attachment_of(payload: dict[str, Any]) -> Attachment | None:
    file = payload.get("file")
    if not isinstance(file, dict):
        return None
    return Attachment(
        media=str(file["media"]),
        filename=str(file["name"]),
        data=base64.b64decode(file["b64"]),
        alt=str(file.get("alt", "")),
    )
