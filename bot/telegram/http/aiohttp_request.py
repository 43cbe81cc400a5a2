"""python-telegram-bot's documented `BaseRequest` over aiohttp: every Bot API call, uploads
included (docs/decisions.md, "Telegram transport").

Why aiohttp: its HTTP/1.1 parser is compiled (llhttp), its pool has none of httpcore's
per-request housekeeping, and it is kept by others (TLS, IPv6 happy eyeballs, chunked and
compressed bodies). This module only maps PTB's contract onto it:

- one `ClientSession` per bot: PTB takes one `BaseRequest` for calls and one for long polling,
  and the polling one is made with `sharing=` the other, so both use one session, one pool and
  one trust store (certifi's bundle unless a context is given), with aiohttp's default happy
  eyeballs (IPv6, then IPv4). Each request object bounds its own connections
  (`connection_pool_size`), so a long poll never waits behind sends;
- PTB's four timeouts: `pool` bounds the wait for a free connection (our own semaphore, so the
  error can say the request was not sent), `connect` the TCP+TLS set-up, `read` the wait for
  each piece of the answer; for uploads `connect + write + read` bounds the whole exchange
  (aiohttp has no write timeout of its own), written for `media_write_timeout` as
  HTTPXRequest does;
- bodies as JSON (`RequestData.json_payload`), uploads as multipart;
- a cap on the answer's size counted after decompression, so a small gzip bomb cannot fill
  the memory;
- errors as PTB raises them (`TimedOut`, `NetworkError`) without the URL: it holds the token.
  The aiohttp exception is described by its class and its message with the URL cut out, and
  never chained (a logged traceback would print it).

A POST is never retried here once it may have reached Telegram; the outbox sender retries
(delivery is at-least-once by design). A proxy named in the environment (HTTPS_PROXY, ALL_PROXY,
NO_PROXY respected) is looked up once per host and passed to aiohttp: its own `trust_env` looks
it up, and netrc, on a thread for every request (two thread hops, ~0.6 ms of CPU per call).
"""

from __future__ import annotations

import asyncio
import ssl
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

MAX_BODY = 64 * 1024 * 1024
"""The largest answer accepted, after decompression (getUpdates of 100 updates is ~1 MiB)."""

_JSON = {"Content-Type": "application/json"}
_Timeout = float | None


def _given(value: object, default: _Timeout) -> _Timeout:
    """A timeout PTB passed, or ours when it passed its `DEFAULT_NONE` marker (or anything
    else that is not a number: PTB's other default markers are private)."""
    if value is None or isinstance(value, int | float):
        return value
    return default


class AiohttpRequest(BaseRequest):
    """`BaseRequest` over one aiohttp `ClientSession`; see the module docstring."""

    def __init__(
        self,
        connection_pool_size: int = 64,
        read_timeout: _Timeout = 5.0,
        write_timeout: _Timeout = 5.0,
        connect_timeout: _Timeout = 5.0,
        pool_timeout: _Timeout = 1.0,
        media_write_timeout: _Timeout = 20.0,
        ssl_context: ssl.SSLContext | None = None,
        max_body: int = MAX_BODY,
        sharing: AiohttpRequest | None = None,
    ) -> None:
        self._size = connection_pool_size
        self._read, self._write = read_timeout, write_timeout
        self._connect, self._pool = connect_timeout, pool_timeout
        self._media_write = media_write_timeout
        self._ssl = ssl_context
        self._max_body = max_body
        self._slots = asyncio.Semaphore(connection_pool_size)
        self._session: aiohttp.ClientSession | None = None
        self._owner = sharing
        """The request whose session this one uses (it opens and closes it), or None."""
        self._timeouts: dict[tuple[_Timeout, ...], aiohttp.ClientTimeout] = {}
        self._headers = {"User-Agent": self.USER_AGENT}
        self._proxies: dict[str, str | None] = {}  # scheme://host -> its proxy, or None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._owner is not None:
            await self._owner.initialize()
            self._session = self._owner._session
            return
        if self._session is not None and not self._session.closed:
            return
        context = self._ssl or ssl.create_default_context(cafile=certifi.where())
        connector = aiohttp.TCPConnector(
            limit=0,  # each request object bounds its own (the semaphore in do_request)
            limit_per_host=0,
            ssl=context,
            ttl_dns_cache=300,
            keepalive_timeout=30.0,  # Telegram's servers keep idle connections longer
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers=self._headers,
            cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none; parsing costs CPU
            raise_for_status=False,
        )

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if self._owner is None and session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._owner._session if self._owner is not None else self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        read, connect = _given(read_timeout, self._read), _given(connect_timeout, self._connect)
        write = _given(write_timeout, self._media_write if files else self._write)
        timeout = self._timeout(read, write if files else None, connect)
        body: aiohttp.FormData | bytes | None = None
        headers = None
        if files and request_data is not None:
            body = _multipart(request_data)
        elif request_data is not None:
            # JSON, not a form: the C encoder costs a third of urlencode's CPU, and the Bot API
            # takes either (values arrive as strings, as PTB encodes them for a form).
            body = request_data.json_payload
            headers = _JSON
        slots = self._slots
        if slots.locked():
            try:
                async with asyncio.timeout(_given(pool_timeout, self._pool)):
                    await slots.acquire()
            except TimeoutError:
                raise TimedOut(
                    "Pool timeout: all connections in the pool are busy; request not sent"
                ) from None
        else:
            await slots.acquire()  # free: returns without suspending
        try:
            async with session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
                proxy=self._proxy(url),
            ) as response:
                return response.status, await self._read_body(response)
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise TimedOut(f"Bot API call timed out ({_describe(exc, url)})") from None
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            raise NetworkError(f"Bot API call failed: {_describe(exc, url)}") from None
        finally:
            slots.release()

    def _proxy(self, url: str) -> str | None:
        """The proxy the environment names for this URL's host (looked up once per host)."""
        scheme, _, rest = url.partition("://")
        origin = f"{scheme}://{rest.partition('/')[0]}"
        if origin not in self._proxies:
            host = urlsplit(origin).hostname or ""
            proxies = getproxies()
            proxy = proxies.get(scheme) or proxies.get("all")
            self._proxies[origin] = proxy if proxy and not proxy_bypass(host) else None
        return self._proxies[origin]

    def _timeout(self, read: _Timeout, write: _Timeout, connect: _Timeout) -> aiohttp.ClientTimeout:
        """One `ClientTimeout` per combination, made once (building one per call costs CPU).

        aiohttp has no write timeout: an upload's whole exchange is bounded by connect + write
        + read instead. A small call's body fits in the socket's buffer at once, so only its
        connect and read are timed (one timer less per call)."""
        key = (read, write, connect)
        timeout = self._timeouts.get(key)
        if timeout is None:
            parts = (connect, write, read)
            total = None if write is None or None in parts else sum(p for p in parts if p)
            timeout = aiohttp.ClientTimeout(
                total=total, sock_connect=connect, connect=connect, sock_read=read
            )
            self._timeouts[key] = timeout
        return timeout

    async def _read_body(self, response: aiohttp.ClientResponse) -> bytes:
        """The whole answer, refused once it grows past `max_body` (counted decompressed)."""
        limit = self._max_body
        length = response.content_length
        if length is not None and length > limit:
            raise NetworkError(f"Bot API answer too large: {length} bytes")
        if length is not None and "Content-Encoding" not in response.headers:
            return await response.read()  # the common case: a small, plain answer
        chunks, size = [], 0
        async for chunk in response.content.iter_any():
            size += len(chunk)
            if size > limit:
                raise NetworkError(f"Bot API answer too large: over {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    """An upload as multipart/form-data: the plain parameters, then the files."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in request_data.multipart_data.items():
        filename, content, mimetype = part
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


def _describe(exc: BaseException, url: str) -> str:
    """The error's class and message without the URL or its path (both hold the token)."""
    text = str(exc)
    path = urlsplit(url).path
    for secret in (url, path, path.rpartition("/")[0]):
        if secret and secret != "/":
            text = text.replace(secret, "<url>")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
