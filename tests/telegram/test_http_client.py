"""The Bot API client (bot/telegram/http/aiohttp_request.py) against real local servers.

The fake Bot API checks the PTB contract end to end (form encoding, errors, uploads, long
polling); a scripted asyncio server sends exact bytes for the edge cases (what aiohttp must
handle and how its failures reach PTB), and a TLS server with a certificate made here checks
that verification is on.
"""

from __future__ import annotations

import asyncio
import gzip
import ssl
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.telegram.http.aiohttp_request import AiohttpRequest
from tests.fakes import FakeBotApi

TOKEN = "123:SECRET-TOKEN"
OK = b'{"ok":true,"result":true}'
# (connection number, request number on it, writer) -> keep the connection open?
Script = Callable[[int, int, asyncio.StreamWriter], Awaitable[bool]]


def answer(body: bytes = OK, *headers: str) -> bytes:
    head = "".join(f"{h}\r\n" for h in headers) or f"Content-Length: {len(body)}\r\n"
    return b"HTTP/1.1 200 OK\r\n" + head.encode() + b"\r\n" + body


class ScriptedServer:
    """An HTTP/1.1 server whose answers each test writes byte for byte."""

    def __init__(self, script: Script, tls: ssl.SSLContext | None = None) -> None:
        self.script, self.tls = script, tls
        self.connections = 0
        self.requests: list[tuple[int, bytes, bytes]] = []
        self.reset_at = (0, 0)  # (connection, request): reset it after reading 10 bytes
        self.handlers: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> ScriptedServer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        for handler in self.handlers:
            handler.cancel()
        await asyncio.gather(*self.handlers)

    def url(self, method: str = "getMe") -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}/bot{TOKEN}/{method}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.handlers.append(asyncio.current_task())  # type: ignore[arg-type]
        number, served = self.connections, 0
        try:
            while True:
                if (number, served + 1) == self.reset_at:
                    await reader.readexactly(10)
                    writer.transport.abort()  # unread data: the kernel sends a reset
                    return
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                self.requests.append((number, head, await reader.readexactly(length)))
                served += 1
                if not await self.script(number, served, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the client left, or the test is over
        writer.close()


async def post(client: AiohttpRequest, url: str, **timeouts: float) -> tuple[int, bytes]:
    return await client.do_request(url, "POST", **timeouts)  # type: ignore[arg-type]


@pytest.fixture
async def client() -> AsyncIterator[AiohttpRequest]:
    async with AiohttpRequest(connection_pool_size=4) as request:
        yield request


# Against the fake Bot API: the PTB contract


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[telegram.Bot]:
    request = AiohttpRequest(connection_pool_size=8)
    polling = AiohttpRequest(connection_pool_size=1, sharing=request)  # as the bot makes them
    async with telegram.Bot(
        TOKEN, base_url=fake.base_url, request=request, get_updates_request=polling
    ) as real_bot:
        yield real_bot


async def test_text_and_buttons_arrive_exactly_as_sent(fake: FakeBotApi, bot: telegram.Bot) -> None:
    user = fake.user(1001, "Ana")
    text = "Ünïcode & a=b+c %20 <b>bold</b> {{ 7*7 }} 😀\nline two"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go & see", callback_data="v1:a=b")]])
    sent = await bot.send_message(1001, text, reply_markup=markup)
    assert sent.text == text
    assert user.last_message().text == text
    assert user.last_message().buttons == [[("Go & see", "v1:a=b")]]


async def test_telegram_errors_surface_as_ptb_raises_them(
    fake: FakeBotApi, bot: telegram.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as `python -m bot run` does
    user = fake.user(1001)
    fake.fail_next("sendMessage", error_code=429, retry_after=3)
    with pytest.raises(RetryAfter, match="Retry in 0:00:03"):
        await bot.send_message(1001, "flood")
    fake.fail_next("sendMessage", error_code=502)
    with pytest.raises(NetworkError):
        await bot.send_message(1001, "outage")
    fake.drop_next("sendMessage")
    with pytest.raises(NetworkError) as dropped:
        await bot.send_message(1001, "dropped")
    assert TOKEN not in f"{dropped.value!r} {dropped.value.__cause__!r}"
    await bot.send_message(1001, "delivered")
    assert [m.text for m in user.messages()] == ["delivered"]


async def test_uploads_arrive_byte_for_byte_as_multipart(
    fake: FakeBotApi, bot: telegram.Bot
) -> None:
    user = fake.user(1001)
    content = b"%PDF-1.7\r\n\x00\xff binary\r\n"
    await bot.send_document(1001, content, filename="plan.pdf", caption="Your plan")
    document = user.last_message().document
    assert document is not None
    assert (document.filename, document.content) == ("plan.pdf", content)
    assert fake.calls("sendDocument")[-1].files["document"].content == content


async def test_a_long_poll_and_sends_share_one_session_without_waiting_for_each_other(
    fake: FakeBotApi, bot: telegram.Bot
) -> None:
    user = fake.user(1001)
    polling = asyncio.create_task(bot.get_updates(timeout=2))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    for n in range(5):
        await bot.send_message(1001, f"while polling {n}")
    assert time.monotonic() - started < 1.5, "sends waited for the long poll"
    assert not polling.done()
    assert await polling == ()
    assert len(user.messages()) == 5


async def test_long_poll_waits_for_the_next_message(fake: FakeBotApi, bot: telegram.Bot) -> None:
    user = fake.user(1001)
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9, "getUpdates returned before its timeout"
    later = asyncio.get_running_loop().call_later(0.3, user.says, "hello")
    updates = await bot.get_updates(timeout=5)
    later.cancel()
    assert [u.message.text for u in updates if u.message] == ["hello"]


# Against a scripted server: HTTP edge cases


async def test_keep_alive_reuses_one_connection_and_reads_chunked_bodies(
    client: AiohttpRequest,
) -> None:
    async def chunked(conn: int, n: int, writer: asyncio.StreamWriter) -> bool:
        writer.write(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b'7;ext=1\r\n{"ok":t\r\n12\r\nrue,"result":true}\r\n0\r\nX-Trailer: 1\r\n\r\n'
        )
        return True

    async with ScriptedServer(chunked) as server:
        for _ in range(3):
            assert await post(client, server.url()) == (200, OK)
    assert server.connections == 1
    head = server.requests[0][1]
    assert head.startswith(f"POST /bot{TOKEN}/getMe HTTP/1.1\r\n".encode())
    assert f"Host: 127.0.0.1:{server.port}\r\n".encode() in head


async def test_connection_close_is_honoured(client: AiohttpRequest) -> None:
    async def close_after(conn: int, n: int, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer(OK, f"Content-Length: {len(OK)}", "Connection: close"))
        return False

    async with ScriptedServer(close_after) as server:
        assert await post(client, server.url()) == (200, OK)
        assert await post(client, server.url()) == (200, OK)
    assert server.connections == 2


async def test_an_idle_connection_the_server_closed_is_not_used(client: AiohttpRequest) -> None:
    async def then_close(conn: int, n: int, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer())
        await writer.drain()
        return False  # the server closes after the answer, without saying so

    async with ScriptedServer(then_close) as server:
        assert await post(client, server.url()) == (200, OK)
        await asyncio.sleep(0.1)
        assert await post(client, server.url()) == (200, OK)
    assert server.connections == 2
    assert len(server.requests) == 2


async def test_a_reset_connection_is_a_network_error_and_the_next_call_uses_a_fresh_one(
    client: AiohttpRequest,
) -> None:
    async def ok(conn: int, n: int, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer())
        return True

    async with ScriptedServer(ok) as server:
        server.reset_at = (1, 2)
        assert await post(client, server.url()) == (200, OK)
        with pytest.raises(NetworkError) as error:
            await post(client, server.url())
        assert TOKEN not in f"{error.value!r} {error.value.__cause__!r}"
        assert await post(client, server.url()) == (200, OK)
    assert server.connections == 2


async def test_a_compressed_answer_is_inflated_and_a_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b" " * 8_000_000)  # ~8 KiB on the wire, 8 MB inflated

    async def compressed(conn: int, n: int, writer: asyncio.StreamWriter) -> bool:
        body = gzip.compress(OK) if n == 1 else bomb
        writer.write(answer(body, f"Content-Length: {len(body)}", "Content-Encoding: gzip"))
        return True

    async with AiohttpRequest(max_body=1_000_000) as client, ScriptedServer(compressed) as server:
        assert await post(client, server.url()) == (200, OK)
        with pytest.raises(NetworkError, match="too large") as error:
            await post(client, server.url())
        assert TOKEN not in f"{error.value!r} {error.value.__cause__!r}"


async def test_a_stalled_server_times_out_and_its_connection_is_dropped(
    client: AiohttpRequest,
) -> None:
    async def stall_first(conn: int, n: int, writer: asyncio.StreamWriter) -> bool:
        if conn == 1:
            await asyncio.sleep(5)
        writer.write(answer())
        return True

    async with ScriptedServer(stall_first) as server:
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await post(client, server.url(), read_timeout=0.3)
        assert time.monotonic() - started < 1.5
        assert await post(client, server.url()) == (200, OK)
    assert server.connections == 2


@pytest.mark.parametrize(
    "garbage",
    [
        b"HELLO\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ntruncated",
    ],
)
async def test_a_malformed_answer_is_a_network_error_and_the_connection_is_dropped(
    client: AiohttpRequest, garbage: bytes
) -> None:
    async def garbage_first(conn: int, n: int, writer: asyncio.StreamWriter) -> bool:
        writer.write(garbage if conn == 1 else answer())
        return conn != 1

    async with ScriptedServer(garbage_first) as server:
        with pytest.raises(NetworkError) as error:
            await post(client, server.url())
        assert TOKEN not in f"{error.value!r} {error.value.__cause__!r}"
        assert await post(client, server.url()) == (200, OK)
    assert server.connections == 2


async def test_an_exhausted_pool_times_out_without_sending() -> None:
    async def slow(conn: int, n: int, writer: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(0.6)
        writer.write(answer())
        return True

    async with AiohttpRequest(connection_pool_size=1) as client, ScriptedServer(slow) as server:
        first = asyncio.create_task(post(client, server.url()))
        await asyncio.sleep(0.1)
        with pytest.raises(TimedOut, match="Pool timeout"):
            await post(client, server.url(), pool_timeout=0.2)
        assert await first == (200, OK)
    assert len(server.requests) == 1


async def test_connect_failure_is_a_network_error_without_the_token(client: AiohttpRequest) -> None:
    async with ScriptedServer(lambda *_: asyncio.sleep(0, False)) as server:
        url = server.url()
    with pytest.raises(NetworkError) as error:
        await post(client, url)
    assert TOKEN not in f"{error.value!r} {error.value.__cause__!r}"


# TLS with a certificate made for the test


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


async def test_https_verifies_the_certificate(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)

    async def ok(conn: int, n: int, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer())
        return True

    trusting = ssl.create_default_context(cafile=str(cert))
    async with ScriptedServer(ok, tls=server_side) as server:
        async with AiohttpRequest(ssl_context=trusting) as client:
            assert await post(client, server.url()) == (200, OK)
            assert await post(client, server.url()) == (200, OK)
        async with AiohttpRequest() as stranger:  # the system's CAs: this certificate is unknown
            with pytest.raises(NetworkError, match="CERTIFICATE_VERIFY_FAILED"):
                await post(stranger, server.url())
    assert server.connections == 1, "kept alive; the refused handshake never got a request"


async def test_with_a_proxy_in_the_environment_calls_go_through_the_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def ok(conn: int, n: int, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer())
        return True

    async with ScriptedServer(ok) as proxy:
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        async with AiohttpRequest() as client:
            url = f"http://api.telegram.invalid/bot{TOKEN}/getMe"
            assert await post(client, url) == (200, OK)
    assert proxy.requests[0][1].startswith(f"POST {url} HTTP/1.1".encode())
