"""A fake Telegram Bot API server for end-to-end tests of the bot.

The bot under test runs unchanged (often in its own process) and talks HTTP to this server via
``TELEGRAM_API_BASE_URL=server.base_url``; tests drive conversations through ``server.user()``.
The server runs uvicorn in a background thread with its own event loop so that plain synchronous
tests can start it, talk through it and stop it. Requests are checked against the official spec
and Telegram's content rules, so mistakes that would fail in production fail here too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from .api_spec import ApiError, JsonDict, load_spec
from .faults import FaultQueue
from .flood import FloodControl
from .http_body import read_params
from .methods import Methods
from .state import BotMessage, FakeState, RecordedCall
from .telegram_user import TelegramGroup, TelegramUser

# h11 (not httptools) because drop_next() aborts the h11 transport; log_config=None leaves
# pytest's logging setup alone.
_UVICORN_OPTIONS: dict[str, Any] = {"loop": "asyncio", "http": "h11", "ws": "none"}
_UVICORN_OPTIONS.update(lifespan="off", interface="asgi3", log_level="warning", log_config=None)
_UVICORN_OPTIONS.update(access_log=False, proxy_headers=False, timeout_graceful_shutdown=2)
logger = logging.getLogger(__name__)
_PATH_RE = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[^/]+)")


class FakeBotApi:
    """Fake Telegram: ``with FakeBotApi() as server: ...`` or ``start()`` / ``stop()``."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        spec_path: Path | None = None,
        bot_username: str = "parley_test_bot",
        bot_first_name: str = "Parley",
        max_poll_timeout: float = 30.0,
    ) -> None:
        self.token = token
        self.spec = load_spec(spec_path)
        self.state = FakeState()
        bot_id = token.split(":")[0]
        self.bot_user: JsonDict = {
            "id": int(bot_id) if bot_id.isdigit() else 1,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.methods = Methods(self.state, self.bot_user, max_poll_timeout)
        self.faults = FaultQueue()
        self.flood: FloodControl | None = None
        """Telegram's flood control, off unless a test calls `enforce_limits`."""
        self._users: dict[int, TelegramUser] = {}
        routes = [Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]
        routes.append(Route("/{path:path}", self._not_found, methods=["GET", "POST"]))
        self._app = Starlette(routes=routes)
        self._sock: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self.port = 0

    # lifecycle

    @property
    def url(self) -> str:
        """The server root, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What the bot uses as ``TELEGRAM_API_BASE_URL`` (PTB appends token and method)."""
        return f"{self.url}/bot"

    def start(self, timeout: float = 10.0) -> FakeBotApi:
        """Bind a free port and serve in a background thread; returns once accepting."""
        if self._thread is not None:
            raise RuntimeError("FakeBotApi is already running")
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose protocol says
        # TCP, and without it every response waits ~40 ms for Nagle.
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(self._asgi, **_UVICORN_OPTIONS))
        self._thread = threading.Thread(target=self._run, name="fake-bot-api", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"fake Bot API server failed to start: {self._error!r}")
            time.sleep(0.01)
        return self

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # surfaced by start()
            self._error = exc

    async def _serve(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        self.methods.update_event = asyncio.Event()
        self.methods.closing = False
        self.state.on_update = lambda: _call_soon(loop, self.methods.notify_update)
        assert self._server is not None
        assert self._sock is not None
        await self._server.serve(sockets=[self._sock])

    def stop(self) -> None:
        """Wake pending long polls, shut uvicorn down and join the thread."""
        if self._loop is not None:
            _call_soon(self._loop, self._begin_shutdown)
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(5)
        if self._sock is not None:
            self._sock.close()
        self.state.on_update = lambda: None
        self._thread = self._server = self._sock = self._loop = None

    def _begin_shutdown(self) -> None:
        self.methods.closing = True
        self.methods.notify_update()

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # HTTP

    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Outermost ASGI app: connection drops must happen before Starlette answers."""
        match = _PATH_RE.fullmatch(scope.get("path", "")) if scope["type"] == "http" else None
        if match and match["token"] == self.token:
            spec = self.spec.lookup(match["method"])
            name = spec.name if spec else match["method"]
            transport = getattr(getattr(send, "__self__", None), "transport", None)
            if transport is not None and self.faults.take(name, drop=True) is not None:
                self.state.record(RecordedCall(name, {}, {}, time.time(), status=0))
                transport.abort()
                for _ in range(3):
                    await asyncio.sleep(0)
                return
        await self._app(scope, receive, send)

    async def _not_found(self, request: Request) -> Response:
        return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    async def _endpoint(self, request: Request) -> Response:
        at = time.time()
        method = request.path_params["method"]
        params: dict[str, Any] = {}
        files: dict[str, Any] = {}
        try:
            if request.path_params["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            spec = self.spec.lookup(method)
            if spec is None:
                raise ApiError(404, "Not Found: method not found")
            method = spec.name
            params, files = await read_params(request)
            fault = self.faults.take(method, drop=False)
            if fault is not None and fault.error is not None:
                raise fault.error
            params = self.spec.validate(spec, params)
            if self.flood is not None:
                self.flood.check(method, params)
            body: JsonDict = {"ok": True, "result": await self.methods.call(method, params)}
            status = 200
        except ApiError as exc:
            body, status = exc.body(), exc.error_code
        except Exception as exc:  # a bug in the fake: answer 500 and keep the evidence
            logger.exception("fake Bot API failed on %s", method)
            body = ApiError(500, f"Internal Server Error: fake server bug: {exc!r}").body()
            status = 500
        self.state.record(RecordedCall(method, params, files, at, status, body))
        return JSONResponse(body, status)

    # fault injection

    def fail_next(
        self,
        method: str | None,
        error_code: int = 429,
        retry_after: int = 2,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (None: any) with an error.

        429 carries ``parameters.retry_after`` like Telegram's flood control (PTB raises
        RetryAfter); 500/502 look like Telegram outages (PTB raises NetworkError).
        """
        self.faults.fail_next(method, error_code, retry_after, times, description)

    def drop_next(self, method: str | None, times: int = 1) -> None:
        """Close the connection without any answer on the next ``times`` calls of ``method``."""
        self.faults.drop_next(method, times)

    def enforce_limits(self, scale: float = 1.0) -> FloodControl:
        """From now on, answer 429 like Telegram past its message limits (`scale` times
        faster: see tests/fakes/flood.py)."""
        self.flood = FloodControl(scale)
        return self.flood

    # users, chats, inspection

    def user(
        self,
        user_id: int = 1001,
        first_name: str = "Ana",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> TelegramUser:
        """The (cached) helper for a user in a private chat with the bot (chat id == user id)."""
        with self.state.lock:
            if user_id not in self._users:
                names = {"last_name": last_name, "username": username}
                self._users[user_id] = TelegramUser(
                    self.state,
                    self.bot_user,
                    user_id,
                    first_name,
                    **names,
                    language_code=language_code,
                )
            return self._users[user_id]

    def group(self, chat_id: int = -1001234567890, title: str = "Parley group") -> TelegramGroup:
        """A group (supergroup for ``-100…`` ids) where users can talk to the bot."""
        return TelegramGroup(self.state, self.bot_user, chat_id, title)

    def block(self, user_id: int, blocked: bool = True) -> None:
        """The user blocks the bot (``blocked=False`` unblocks): sends to them answer 403."""
        with self.state.lock:
            if user_id not in self.state.chats:
                raise AssertionError(f"no chat {user_id}: create it with server.user() first")
            self.state.chats[user_id].blocked = blocked

    def unblock(self, user_id: int) -> None:
        self.block(user_id, blocked=False)

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Recorded requests in arrival order, optionally of one method (case-insensitive)."""
        wanted = method.lower() if method is not None else None
        return self.state.read(
            lambda s: [c for c in s.recorded if wanted in (None, c.method.lower())]
        )

    def wait_for_call(self, method: str, timeout: float = 10.0) -> RecordedCall:
        """Wait until the bot has called ``method`` at least once; returns the latest call."""
        found = self.state.wait_until(
            lambda: next(
                (c for c in reversed(self.state.recorded) if c.method.lower() == method.lower()),
                None,
            ),
            timeout,
        )
        if found is None:
            raise AssertionError(f"the bot did not call {method} within {timeout}s")
        return found

    @property
    def confirmed_offset(self) -> int:
        """Highest ``offset`` a getUpdates call confirmed (0 if none yet)."""
        return self.state.read(lambda s: s.confirmed_offset)

    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed by the bot."""
        return self.state.read(lambda s: s.updates)

    def bot_messages(self, chat_id: int) -> list[BotMessage]:
        """All bot messages in a chat, including deleted ones."""
        return self.state.read(
            lambda s: [m for m in s.chat(chat_id).messages.values() if isinstance(m, BotMessage)]
        )

    def chat_actions(self, chat_id: int) -> list[str]:
        return self.state.read(lambda s: s.chat(chat_id).chat_actions)

    def my_commands(
        self, scope_type: str = "default", language_code: str = "", chat_id: int | None = None
    ) -> list[JsonDict]:
        """What setMyCommands stored for a scope (`chat_id` for the "chat" scope)."""
        key = f"{scope_type}:{'' if chat_id is None else chat_id}:{language_code}"
        return self.state.read(lambda s: s.commands.get(key, []))

    def descriptions(self) -> dict[str, str]:
        """What setMyDescription and setMyShortDescription stored."""
        return self.state.read(lambda s: dict(s.descriptions))

    def allowed_updates(self) -> list[str] | None:
        """The update types the bot asked for last (None: it never said)."""
        return self.state.read(lambda s: s.allowed_updates)


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Any) -> None:
    """Schedule on the server loop from any thread; a closed loop means nobody is waiting."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(callback)
