"""Headers every response of the review site carries, whatever route or error produced it.

The site runs no JavaScript but one static file (/static/annotate.js, a progressive
enhancement of the session page an instructor reviews), so every page's Content-Security-Policy
forbids scripts, and that page's allows the site's own files only: no inline script, no handler
attribute, no eval. Text a student typed can never run even if a template had a bug. Pages may not be framed (no
clickjacking of the agree/disagree buttons), and no address leaks through a Referer header.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
"""For the site's own pages: styles from the site's stylesheet only, no scripts."""

SCRIPTED_POLICY = PAGE_POLICY.replace(
    "default-src 'none';", "default-src 'none'; script-src 'self';"
)
"""For the one page with a script (a session under review): the site's own static file only."""

EXPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"
)
"""For the standalone HTML export, whose styles are inline so the file works when saved."""

_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware: adds the headers above (and the page policy unless a route chose one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in _HEADERS if k not in names]
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", PAGE_POLICY.encode()))
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def page_headers() -> dict[str, str]:
    """Every header the middleware gives a page, for a response sent outside it: Starlette's
    outermost middleware sends the 500 page itself, after the exception passed ours."""
    headers = {name.decode(): value.decode() for name, value in _HEADERS}
    return headers | {"content-security-policy": PAGE_POLICY, "cache-control": "no-store"}


BODY_TIMEOUT = 10.0
"""Seconds a client may take between two pieces of a request body before it gets 408."""


class _BodyTimeoutError(Exception):
    pass


class BodyReadTimeout:
    """ASGI middleware: a request whose body stalls for `timeout` seconds is answered 408 and
    its connection closed, so a slow client cannot hold a worker. (Headers are read by uvicorn,
    which has no header timeout: the reverse proxy in front must set one; docs/deploy.md.)"""

    def __init__(self, app: ASGIApp, timeout: float = BODY_TIMEOUT) -> None:
        self.app = app
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        done = False
        started = False

        async def timed_receive() -> Message:
            nonlocal done
            if done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.timeout)
            except TimeoutError:
                raise _BodyTimeoutError from None
            done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, watched_send)
        except _BodyTimeoutError:
            if started:
                raise
            headers = [(b"content-length", b"0"), (b"connection", b"close")]
            await send({"type": "http.response.start", "status": 408, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
