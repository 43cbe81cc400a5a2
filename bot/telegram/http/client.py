"""A lean HTTP/1.1 keep-alive client for PTB's Bot API calls (docs/decisions.md, "Telegram
transport").

Why: with httpx, 61% of the bot's CPU went to httpx/httpcore/anyio, a third of it to httpcore's
pool housekeeping (a getpeername/poll on every idle connection, on every request and response).
Parley keeps up to ~18 connections busy because chats are handled concurrently, so that cost
grew with load. This client does only what the Bot API needs: POST a form-encoded body over a
pooled keep-alive connection and read a Content-Length or chunked response.

What stays on httpx (the wrapped `HTTPXRequest`): uploads (multipart, `contains_files`),
anything that is not a POST (file downloads use GET), and every call when the environment
names an outbound proxy for the scheme (HTTPS_PROXY, ALL_PROXY, ...; NO_PROXY respected), which
httpx honours and this client does not speak.

Retries: a reused connection that the server had closed while idle is noticed before use
(asyncio already delivered the EOF; no syscall) and skipped. A request whose *write* fails on a
reused connection (reset, broken pipe) is retried once on a fresh one: the server never got a
complete request. Once the request is written, nothing is retried; a connection dropped before
or during the answer surfaces as `NetworkError`, like httpx, and the outbox sender retries
(delivery is at-least-once by design). Errors never carry the URL (it holds the bot token).
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit
from urllib.request import getproxies, proxy_bypass

from telegram._utils.defaultvalue import DefaultValue  # as HTTPXRequest resolves them
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.telegram.http.response import MAX_HEAD, MalformedResponseError, read_response

_Key = tuple[str, str, int]


@dataclass(slots=True)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    reused: bool = False

    def usable(self) -> bool:
        """False once the server closed or reset it (asyncio noticed already: no syscall)."""
        reader = self.reader
        return not (reader.at_eof() or reader.exception() or self.writer.is_closing())

    def abort(self) -> None:
        self.writer.transport.abort()


class LeanRequest(BaseRequest):
    """`BaseRequest` over asyncio streams; see the module docstring for what it does not do."""

    def __init__(
        self,
        connection_pool_size: int = 64,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._size = connection_pool_size
        self._timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._ssl = ssl_context
        self._slots = asyncio.Semaphore(connection_pool_size)
        self._idle: dict[_Key, list[_Connection]] = {}
        self._proxied: dict[str, bool] = {}  # scheme:host -> through httpx and its proxy
        self._open = False
        self._fallback = HTTPXRequest(
            connection_pool_size=connection_pool_size,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts[0]

    async def initialize(self) -> None:
        await self._fallback.initialize()
        self._open = True

    async def shutdown(self) -> None:
        self._open = False
        for idle in self._idle.values():
            for connection in idle:
                connection.writer.close()
        self._idle.clear()
        await self._fallback.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        parts = urlsplit(url)
        files = request_data is not None and request_data.contains_files
        if method != "POST" or files or self._through_proxy(parts.scheme, parts.hostname):
            return await self._fallback.do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )  # fmt: skip
        if not self._open:
            raise RuntimeError("This LeanRequest is not initialized!")
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        valid = target.isascii() and target.isprintable() and " " not in target
        if parts.scheme not in ("http", "https") or not parts.hostname or not valid:
            raise NetworkError("Lean HTTP: unsupported URL")  # never echo it: it holds the token
        key = (parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        body = urlencode(request_data.json_parameters).encode() if request_data else b""
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        head = (
            f"POST {target} HTTP/1.1\r\nHost: {host}{f':{parts.port}' if parts.port else ''}\r\n"
            f"User-Agent: {self.USER_AGENT}\r\nAccept-Encoding: identity\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        read, write, connect, pool = (
            default if isinstance(given, DefaultValue) else given
            for given, default in zip(
                (read_timeout, write_timeout, connect_timeout, pool_timeout),
                self._timeouts,
                strict=True,
            )
        )
        try:
            async with asyncio.timeout(pool):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise TimedOut(
                "Pool timeout: all connections in the pool are busy; request not sent"
            ) from exc
        try:
            return await self._exchange(key, head + body, read, write, connect)
        finally:
            self._slots.release()

    async def _exchange(
        self, key: _Key, request: bytes, read: float | None, write: float | None,
        connect: float | None,
    ) -> tuple[int, bytes]:  # fmt: skip
        connection = self._take_idle(key)
        for attempt in (1, 2):
            if connection is None:
                connection = await self._connect(key, connect)
            try:
                connection.writer.write(request)
                async with asyncio.timeout(write):
                    await connection.writer.drain()
            except TimeoutError as exc:
                connection.abort()
                raise TimedOut("Lean HTTP: write timed out") from exc
            except OSError as exc:
                connection.abort()
                if connection.reused and attempt == 1:  # the server never got the request
                    connection = None
                    continue
                raise NetworkError(f"Lean HTTP: write failed: {exc!r}") from exc
            except BaseException:
                connection.abort()
                raise
            break
        assert connection is not None
        try:
            async with asyncio.timeout(read):
                status, payload, keep_alive = await read_response(connection.reader)
        except TimeoutError as exc:
            connection.abort()
            raise TimedOut("Lean HTTP: read timed out") from exc
        except asyncio.IncompleteReadError as exc:
            connection.abort()
            raise NetworkError("Lean HTTP: connection closed before a complete response") from exc
        except (OSError, MalformedResponseError, asyncio.LimitOverrunError, ValueError) as exc:
            connection.abort()
            raise NetworkError(f"Lean HTTP: bad response: {exc!r}") from exc
        except BaseException:  # cancelled mid-response: the connection is unusable
            connection.abort()
            raise
        self._release(key, connection, keep_alive)
        return status, payload

    def _through_proxy(self, scheme: str, host: str | None) -> bool:
        """Whether the environment names a proxy for this host (checked once per host)."""
        proxied = self._proxied.get(f"{scheme}:{host}")
        if proxied is None:
            proxies = getproxies()
            proxied = bool({scheme, "all"} & set(proxies)) and not proxy_bypass(host or "")
            self._proxied[f"{scheme}:{host}"] = proxied
        return proxied

    def _take_idle(self, key: _Key) -> _Connection | None:
        idle = self._idle.get(key)
        while idle:
            connection = idle.pop()  # LIFO: the warmest connection, least likely closed
            if connection.usable():
                connection.reused = True
                return connection
            connection.writer.close()
        return None

    def _release(self, key: _Key, connection: _Connection, keep_alive: bool) -> None:
        if not (keep_alive and self._open and connection.usable()):
            connection.writer.close()
            return
        self._idle.setdefault(key, []).append(connection)
        if sum(len(idle) for idle in self._idle.values()) > self._size:
            self._idle[key].pop(0).writer.close()  # several hosts: bound idle sockets too

    async def _connect(self, key: _Key, connect: float | None) -> _Connection:
        scheme, host, port = key
        context = None
        if scheme == "https":
            context = self._ssl or ssl.create_default_context()
            self._ssl = context
        try:
            async with asyncio.timeout(connect):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=context, limit=MAX_HEAD,
                    server_hostname=host if context else None,
                )  # fmt: skip
        except TimeoutError as exc:
            raise TimedOut("Lean HTTP: connect timed out") from exc
        except OSError as exc:
            raise NetworkError(f"Lean HTTP: connect failed: {exc!r}") from exc
        return _Connection(reader, writer)
