"""Which chat a raw Telegram update belongs to, read from its JSON."""

from __future__ import annotations

from typing import Any

_CARRIERS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
)


def chat_of(body: dict[str, Any]) -> int | None:
    """The chat id of an update, or None for updates that belong to no chat (inline queries)."""
    for key in _CARRIERS:
        part = body.get(key)
        if isinstance(part, dict) and isinstance(part.get("chat"), dict):
            chat = part["chat"].get("id")
            return chat if isinstance(chat, int) else None
    query = body.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message")
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            chat = message["chat"].get("id")
            return chat if isinstance(chat, int) else None
        sender = query.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return None
