"""One-time sign-in links for the review site, shared by Telegram `/web`, the CLI and the site.

A link carries `<id>.<signature>`: a random id and its HMAC-SHA256 under `WEB_SECRET_KEY`.
The database keeps only the id's SHA-256 with the user, the expiry and when it was used, so
neither a copy of the database nor a guessed id signs anybody in, and a link works once,
for ten minutes. Nothing here logs a token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from enum import Enum
from urllib.parse import quote

from storage.courses import browsers as store
from storage.uow import UnitOfWork

LINK_LIFETIME = timedelta(minutes=10)
LOGIN_PATH = "/login"
_MAX_TOKEN = 200


class LinkProblem(Enum):
    """Why a link does not sign in; the site explains each in plain words."""

    MALFORMED = "malformed"  # not a link Parley made, or altered (signature does not match)
    UNKNOWN = "unknown"  # signed, but no such link is stored (e.g. the database was reset)
    USED = "used"  # signed in once already
    EXPIRED = "expired"  # older than ten minutes


def _sign(secret: str, raw_id: str) -> str:
    mac = hmac.new(secret.encode(), b"parley-login:" + raw_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def hash_id(raw: str) -> str:
    """What the database keeps instead of a secret (link ids, cookie values)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(db: UnitOfWork, user_id: int, secret: str, now: datetime) -> str:
    """Store a new single-use link for `user_id` (in the caller's transaction); the token."""
    if not secret:
        raise ValueError("WEB_SECRET_KEY is not set")
    raw_id = secrets.token_urlsafe(24)
    store.add_login_token(db, hash_id(raw_id), user_id, now + LINK_LIFETIME)
    store.forget_old_tokens(db, now - timedelta(days=1))
    return f"{raw_id}.{_sign(secret, raw_id)}"


def issue_login_url(db: UnitOfWork, user_id: int, base_url: str, secret: str, now: datetime) -> str:
    """The full sign-in URL for `user_id`, valid once for ten minutes from `now`."""
    token = issue_token(db, user_id, secret, now)
    return f"{base_url.rstrip('/')}{LOGIN_PATH}?token={quote(token, safe='')}"


LINK_REFERENCE = "sign_in_ref"
"""The outbox payload key of a /web reply's link reference (see `issue_login_reference`)."""
LINK_PLACEHOLDER = "PARLEY-SIGN-IN-LINK"
"""Stands in the stored text of a /web reply where the link goes when it is sent."""


def _id_for_reference(secret: str, reference: str) -> str:
    mac = hmac.new(secret.encode(), b"parley-login-ref:" + reference.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()[:32]


def issue_login_reference(db: UnitOfWork, user_id: int, secret: str, now: datetime) -> str:
    """Store a new single-use link for `user_id` and return a reference to it that signs
    nobody in: the link's id is an HMAC of the reference under `secret`, so the reference can
    wait in the outbox and the link be made only when the message is sent
    (`login_url_for_reference`). The database keeps the reference and the id's hash: a copy
    of it, without WEB_SECRET_KEY, signs nobody in."""
    if not secret:
        raise ValueError("WEB_SECRET_KEY is not set")
    reference = secrets.token_urlsafe(24)
    raw_id = _id_for_reference(secret, reference)
    store.add_login_token(db, hash_id(raw_id), user_id, now + LINK_LIFETIME)
    store.forget_old_tokens(db, now - timedelta(days=1))
    return reference


def login_url_for_reference(base_url: str, secret: str, reference: str) -> str:
    """The sign-in URL of a link stored by `issue_login_reference`."""
    raw_id = _id_for_reference(secret, reference)
    token = f"{raw_id}.{_sign(secret, raw_id)}"
    return f"{base_url.rstrip('/')}{LOGIN_PATH}?token={quote(token, safe='')}"


def _verified_id(token: str, secret: str) -> str | None:
    raw_id, dot, signature = token.partition(".")
    if not dot or not raw_id or len(token) > _MAX_TOKEN or not secret:
        return None
    if not token.isascii() or not hmac.compare_digest(_sign(secret, raw_id), signature):
        return None
    return raw_id


def inspect(db: UnitOfWork, token: str, secret: str, now: datetime) -> LinkProblem | None:
    """Would this link sign in? None if so; it is not used up by looking."""
    raw_id = _verified_id(token, secret)
    if raw_id is None:
        return LinkProblem.MALFORMED
    row = store.login_token(db, hash_id(raw_id))
    if row is None:
        return LinkProblem.UNKNOWN
    if row.used_at is not None:
        return LinkProblem.USED
    if row.expires_at <= now:
        return LinkProblem.EXPIRED
    return None


def redeem(db: UnitOfWork, token: str, secret: str, now: datetime) -> int | None:
    """Use the link up and return its user id; None if tampered with, used, expired or unknown."""
    raw_id = _verified_id(token, secret)
    if raw_id is None:
        return None
    return store.use_login_token(db, hash_id(raw_id), now)
