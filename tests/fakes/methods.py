"""The Bot API methods the fake implements, with Telegram's answers and error texts.

Each method receives parameters already checked against the spec and decoded, applies
Telegram's rules, updates the shared state and returns the ``result`` JSON. Methods the spec
knows but this file does not implement fail loudly so a test never silently depends on them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from . import rules
from .api_spec import ApiError, JsonDict, UploadedFile, bad_request
from .state import (
    BotMessage,
    ChatState,
    FakeState,
    MessageVersion,
    SentFile,
    UserMessage,
)

_ACTIONS = (
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note"
)
CHAT_ACTIONS = frozenset(_ACTIONS.split())
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class Methods:
    """Dispatches a validated call to its implementation."""

    def __init__(self, state: FakeState, bot_user: JsonDict, max_poll_timeout: float):
        self.state = state
        self.bot_user = bot_user
        self.max_poll_timeout = max_poll_timeout
        self.closing = False
        self.update_event = asyncio.Event()
        self.handlers: dict[str, Handler] = {
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "getMe": self.get_me,
            "close": self.close,
            "logOut": self.log_out,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "sendMessage": self.send_message,
            "sendDocument": self.send_document,
            "sendPhoto": self.send_photo,
            "sendChatAction": self.send_chat_action,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "setMyDescription": self.set_my_description,
            "setMyShortDescription": self.set_my_short_description,
            "leaveChat": self.leave_chat,
        }

    def notify_update(self) -> None:
        """Wake every pending long poll (runs on the server loop)."""
        event, self.update_event = self.update_event, asyncio.Event()
        event.set()

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        handler = self.handlers.get(method)
        if handler is None:
            raise bad_request(f"fake server does not implement {method}")
        return await handler(params)

    # helpers

    def _send_target(self, params: dict[str, Any]) -> ChatState:
        chat = self.state.chat(params["chat_id"])
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _new_bot_message(self, chat: ChatState, **fields: Any) -> JsonDict:
        with self.state.lock:
            msg = BotMessage(
                chat_id=chat.chat["id"],
                message_id=self.state.new_message_id(chat),
                date=int(time.time()),
                **fields,
            )
            self.state.add_message(chat, msg)
            return msg.to_api(self.bot_user, chat.chat)

    def _bot_message(self, params: dict[str, Any]) -> tuple[ChatState, BotMessage]:
        if "inline_message_id" in params:
            raise bad_request("fake server does not implement inline_message_id")
        if "chat_id" not in params or "message_id" not in params:
            raise bad_request("parameter chat_id and message_id are required")
        chat = self.state.chat(params["chat_id"])
        msg = chat.messages.get(params["message_id"])
        if msg is None or msg.deleted:
            raise bad_request("message to edit not found")
        if isinstance(msg, UserMessage):
            raise bad_request("message can't be edited")
        return chat, msg

    def _edit(self, chat: ChatState, msg: BotMessage, **changes: Any) -> JsonDict:
        with self.state.lock:
            if all(getattr(msg, key) == value for key, value in changes.items()):
                raise bad_request(NOT_MODIFIED)
            msg.history.append(
                MessageVersion(msg.text, msg.caption, msg.parse_mode, msg.reply_markup, time.time())
            )
            for key, value in changes.items():
                setattr(msg, key, value)
            msg.edit_date = int(time.time())
            msg.updated_seq = self.state.touch()
            return msg.to_api(self.bot_user, chat.chat)

    def _sent_file(self, value: Any, fallback_name: str) -> SentFile:
        if isinstance(value, UploadedFile):
            digest = hashlib.sha1(value.content).hexdigest()[:16]
            return SentFile(f"BQAC{digest}", digest, value.filename, value.content, value.mime_type)
        if isinstance(value, str) and value.startswith("attach://"):
            raise bad_request(f"file {value} not found in the request")
        source = str(value)
        digest = hashlib.sha1(source.encode()).hexdigest()[:16]
        return SentFile(f"BQAC{digest}", digest, fallback_name, None, None, source)

    # getUpdates & webhooks

    async def get_updates(self, params: dict[str, Any]) -> Any:
        if self.state.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if params.get("allowed_updates") is not None:  # kept until the next call names them
            with self.state.lock:
                self.state.allowed_updates = list(params["allowed_updates"]) or None
        offset, limit = params.get("offset"), min(max(params.get("limit", 100), 1), 100)
        timeout = min(max(float(params.get("timeout", 0)), 0.0), self.max_poll_timeout)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self.update_event
            updates = self._allowed(self.state.take_updates(offset, limit))
            remaining = deadline - loop.time()
            if updates or remaining <= 0 or self.closing:
                return updates
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _allowed(self, updates: list[JsonDict]) -> list[JsonDict]:
        """Telegram never delivers update types the bot did not ask for."""
        allowed = self.state.allowed_updates
        if allowed is None:
            return updates
        return [u for u in updates if any(kind in allowed for kind in u if kind != "update_id")]

    async def set_webhook(self, params: dict[str, Any]) -> Any:
        if params.get("allowed_updates") is not None:
            with self.state.lock:
                self.state.allowed_updates = list(params["allowed_updates"]) or None
        url = params["url"]
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        with self.state.lock:
            self.state.webhook_url = url
            if params.get("drop_pending_updates"):
                self.state.updates.clear()
        return True

    async def delete_webhook(self, params: dict[str, Any]) -> Any:
        with self.state.lock:
            self.state.webhook_url = ""
            if params.get("drop_pending_updates"):
                self.state.updates.clear()
        return True

    async def get_webhook_info(self, params: dict[str, Any]) -> Any:
        with self.state.lock:
            pending = len(self.state.updates)
            url = self.state.webhook_url
        return {"url": url, "has_custom_certificate": False, "pending_update_count": pending}

    # bot identity

    async def get_me(self, params: dict[str, Any]) -> Any:
        return self.bot_user

    async def close(self, params: dict[str, Any]) -> Any:
        return True

    async def log_out(self, params: dict[str, Any]) -> Any:
        return True

    async def set_my_commands(self, params: dict[str, Any]) -> Any:
        commands = params["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise bad_request("command description must be 1-256 characters")
        key = self._commands_key(params)
        with self.state.lock:
            self.state.commands[key] = commands
        return True

    async def get_my_commands(self, params: dict[str, Any]) -> Any:
        return self.state.read(lambda s: s.commands.get(self._commands_key(params), []))

    async def set_my_description(self, params: dict[str, Any]) -> Any:
        description = params.get("description") or ""
        if len(description) > 512:
            raise bad_request("description must be at most 512 characters")
        with self.state.lock:
            self.state.descriptions["description"] = description
        return True

    async def set_my_short_description(self, params: dict[str, Any]) -> Any:
        short = params.get("short_description") or ""
        if len(short) > 120:
            raise bad_request("short description must be at most 120 characters")
        with self.state.lock:
            self.state.descriptions["short_description"] = short
        return True

    async def leave_chat(self, params: dict[str, Any]) -> Any:
        chat = self.state.chat(params["chat_id"])
        if chat.chat.get("type") == "private":
            raise bad_request("chat member status can't be changed in private chats")
        with self.state.lock:
            chat.left = True
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return f"{scope.get('type')}:{scope.get('chat_id', '')}:{params.get('language_code', '')}"

    # sending

    async def send_message(self, params: dict[str, Any]) -> Any:
        chat = self._send_target(params)
        parse_mode = rules.normalize_parse_mode(params.get("parse_mode"))
        plain = rules.check_text(params["text"], parse_mode)
        markup = rules.parse_reply_markup(params.get("reply_markup"))
        replying = params.get("reply_parameters") or {}
        return self._new_bot_message(
            chat,
            text=params["text"],
            plain_text=plain,
            parse_mode=parse_mode,
            reply_markup=markup,
            reply_to=replying.get("message_id") if isinstance(replying, dict) else None,
        )

    async def _send_media(self, params: dict[str, Any], field: str) -> Any:
        chat = self._send_target(params)
        parse_mode = rules.normalize_parse_mode(params.get("parse_mode"))
        rules.check_caption(params.get("caption"), parse_mode)
        markup = rules.parse_reply_markup(params.get("reply_markup"))
        sent = self._sent_file(params[field], "photo.jpg" if field == "photo" else "document")
        return self._new_bot_message(
            chat,
            caption=params.get("caption"),
            parse_mode=parse_mode,
            reply_markup=markup,
            **{field: sent},
        )

    async def send_document(self, params: dict[str, Any]) -> Any:
        return await self._send_media(params, "document")

    async def send_photo(self, params: dict[str, Any]) -> Any:
        return await self._send_media(params, "photo")

    async def send_chat_action(self, params: dict[str, Any]) -> Any:
        chat = self._send_target(params)
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        with self.state.lock:
            chat.chat_actions.append(params["action"])
            self.state.touch()
        return True

    # editing

    async def edit_message_text(self, params: dict[str, Any]) -> Any:
        if "rich_message" in params:
            raise bad_request("fake server does not implement rich_message")
        if "text" not in params:
            raise bad_request("parameter text is required")
        chat, msg = self._bot_message(params)
        if msg.text is None:
            raise bad_request("there is no text in the message to edit")
        parse_mode = rules.normalize_parse_mode(params.get("parse_mode"))
        plain = rules.check_text(params["text"], parse_mode)
        markup = rules.parse_reply_markup(params.get("reply_markup"), inline_only=True)
        changes = {"text": params["text"], "plain_text": plain, "parse_mode": parse_mode}
        return self._edit(chat, msg, reply_markup=markup, **changes)

    async def edit_message_reply_markup(self, params: dict[str, Any]) -> Any:
        chat, msg = self._bot_message(params)
        markup = rules.parse_reply_markup(params.get("reply_markup"), inline_only=True)
        return self._edit(chat, msg, reply_markup=markup)

    async def delete_message(self, params: dict[str, Any]) -> Any:
        chat = self.state.chat(params["chat_id"])
        with self.state.lock:
            msg = chat.messages.get(params["message_id"])
            if msg is None or msg.deleted:
                raise bad_request("message to delete not found")
            msg.deleted = True
            if isinstance(msg, BotMessage):
                msg.updated_seq = self.state.touch()
        return True

    async def answer_callback_query(self, params: dict[str, Any]) -> Any:
        text = params.get("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        with self.state.lock:
            query = self.state.callback_queries.get(params["callback_query_id"])
            if query is None or query.answered:
                raise bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            query.answered, query.text = True, text
            query.show_alert, query.url = bool(params.get("show_alert")), params.get("url")
            self.state.touch()
        return True
