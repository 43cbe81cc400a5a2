"""Fakes for end-to-end tests; chiefly a fake Telegram Bot API server and its test users.

Typical use::

    with FakeBotApi(token="123:ABC") as server:
        user = server.user(user_id=1001, first_name="Ana")
        # start the bot with TELEGRAM_API_BASE_URL=server.base_url
        user.sends_command("/start")
        assert "Welcome" in user.wait_for_reply().shown
"""

from .api_spec import ApiError, ApiSpec, UploadedFile, load_spec
from .bot_api import FakeBotApi
from .state import (
    BotMessage,
    CallbackQuery,
    MessageVersion,
    RecordedCall,
    SentFile,
    UserMessage,
)
from .telegram_user import TelegramGroup, TelegramUser

__all__ = [
    "ApiError",
    "ApiSpec",
    "BotMessage",
    "CallbackQuery",
    "FakeBotApi",
    "MessageVersion",
    "RecordedCall",
    "SentFile",
    "TelegramGroup",
    "TelegramUser",
    "UploadedFile",
    "UserMessage",
    "load_spec",
]
