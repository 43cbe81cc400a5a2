"""A client that stalls in the middle of its request body gets 408 (with the security headers)
and its connection closed, instead of holding the site. The real site under uvicorn,
configured as `python -m bot web` runs it (bot.web.serve.server_config)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from bot.web.app import create_app
from bot.web.serve import server_config
from tests.e2e.site_process import free_port
from tests.web.conftest import BASE_URL, SECRET, World


@pytest.fixture
def site(world: World) -> Iterator[tuple[str, int]]:
    app = create_app(world.courses, world.sessions, SECRET, BASE_URL, world.clock, 0.5)
    port = free_port()
    server = uvicorn.Server(server_config(app, "127.0.0.1", port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the site did not start"
        time.sleep(0.02)
    yield "127.0.0.1", port
    server.should_exit = True
    thread.join(10)


def read_all(connection: socket.socket, timeout: float) -> bytes:
    connection.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = connection.recv(65536)
        except TimeoutError:
            return data + b"<still open>"
        if not chunk:
            return data
        data += chunk


def test_a_body_that_stalls_gets_408_and_the_connection_is_closed(
    site: tuple[str, int],
) -> None:
    with socket.create_connection(site) as connection:
        connection.sendall(
            b"POST /login HTTP/1.1\r\nHost: testserver\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
            b"token=abc"
        )
        started = time.monotonic()
        answer = read_all(connection, 5)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b"x-frame-options: DENY" in answer.lower().replace(b"deny", b"DENY")
    assert not answer.endswith(b"<still open>")
    assert time.monotonic() - started < 3


def test_the_site_still_answers_while_a_client_stalls(site: tuple[str, int]) -> None:
    with socket.create_connection(site) as slow:
        slow.sendall(b"POST /login HTTP/1.1\r\nHost: t\r\nContent-Length: 50\r\n\r\nx")
        with socket.create_connection(site) as other:
            other.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            assert read_all(other, 5).startswith(b"HTTP/1.1 200 ")
