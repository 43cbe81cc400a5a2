"""Reading the site's forms and checking their CSRF token.

Every form is a small `application/x-www-form-urlencoded` POST, so the standard library parses
it (no multipart parser to install and keep patched). A POST whose `csrf` field is missing or
differs from the browser session's token is refused with 403 before anything is changed; the
comparison takes constant time.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qsl

from starlette.requests import Request

from bot.errors import ParleyError

MAX_FORM_BYTES = 64 * 1024


class FormError(ParleyError):
    """The request body is not a form the site accepts (too large or not a form)."""


async def read_form(request: Request) -> dict[str, str]:
    """The form's fields (the last value wins for a repeated name)."""
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormError("too large")
    if not body:
        return {}  # an empty form: its missing token is what gets refused
    if kind != "application/x-www-form-urlencoded":
        raise FormError("not a form")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise FormError("not UTF-8") from None
    try:
        fields = parse_qsl(text, keep_blank_values=True, max_num_fields=50)
    except ValueError:
        raise FormError("too many fields") from None
    return {without_nul(name): without_nul(value) for name, value in fields}


def without_nul(text: str) -> str:
    """Text as the database can keep it: PostgreSQL refuses NUL in text, and nobody types one."""
    return text.replace("\x00", "")


def csrf_ok(form: dict[str, str], expected: str) -> bool:
    given = form.get("csrf", "")
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
