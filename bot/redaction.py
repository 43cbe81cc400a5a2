"""Secrets never reach a log line: the bot token and the webhook secret are replaced with `***`
in every record, at every level, whoever logs it (python-telegram-bot's DEBUG lines carry
request URLs with the token and `setWebhook`'s parameters with the secret), in the message,
its arguments and the formatted traceback of `exc_info`.

`install(...)` puts one `Redactor` on every handler that exists when it is called (the root's,
and any logger's own, such as uvicorn's); call it again after something adds handlers.

Chat ids are not logged either: `chat_hash` stands in for them. It is an HMAC under
`LOG_HASH_KEY` (random per process when unset), because a Telegram id has only about 33 bits:
an unkeyed hash of one is undone by hashing every possible id.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets as random_secrets
from collections.abc import Iterable

MASK = "***"
MIN_SECRET = 6
"""Shorter values are not secrets worth hiding (and replacing "1" would mangle every line)."""


_hash_key = random_secrets.token_bytes(32)


def set_hash_key(key: str) -> None:
    """Key `chat_hash` with `key` (LOG_HASH_KEY: the same chat then has the same hash in every
    process and restart that shares the key); an empty key keeps this process's random one."""
    global _hash_key
    if key:
        _hash_key = key.encode()


def chat_hash(chat_id: int | str, key: bytes | None = None) -> str:
    """A stable, short stand-in for a chat id in logs: 12 hex digits of HMAC-SHA256 under the
    process's key (or `key`), so lines of one chat can be followed without the id in them."""
    digest = hmac.new(_hash_key if key is None else key, str(chat_id).encode(), hashlib.sha256)
    return digest.hexdigest()[:12]


class Redactor(logging.Filter):
    """Replaces each secret in a record with `***`; never drops a record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted(
            {s for s in secrets if s and len(s) >= MIN_SECRET}, key=len, reverse=True
        )

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: let the handler report it as usual
            return True
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _handlers() -> list[logging.Handler]:
    found = list(logging.getLogger().handlers)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            found += logger.handlers
    return found


def install(secrets: Iterable[str]) -> Redactor:
    """Put a redactor for `secrets` on every handler there is now (once per handler; the
    secrets of one installed before are kept)."""
    redactor = Redactor(secrets)
    for handler in _handlers():
        for old in [f for f in handler.filters if isinstance(f, Redactor)]:
            redactor.secrets = sorted(
                set(redactor.secrets) | set(old.secrets), key=len, reverse=True
            )
            handler.removeFilter(old)
        handler.addFilter(redactor)
    return redactor
