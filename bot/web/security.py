"""Headers every response of the review site carries, whatever route or error produced it.

The site runs no JavaScript at all, so the Content-Security-Policy forbids every script: text a
student typed can never run even if a template had a bug. Pages may not be framed (no
clickjacking of the agree/disagree buttons), and no address leaks through a Referer header.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
"""For the site's own pages: styles from the site's stylesheet only, no scripts."""

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
