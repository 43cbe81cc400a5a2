"""Error pages: a failure inside the site (500), an unknown address (404) and a wrong method
(405) each get a plain page in the site's own words, no traceback, and every security header."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.testclient import TestClient

from tests.web.conftest import BASE_URL, World, sign_in

SECRET_IN_THE_EXCEPTION = "password=hunter2 in a failing query"


def assert_secure(response: Response | object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"


def assert_plain(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text
    assert SECRET_IN_THE_EXCEPTION not in text and "RuntimeError" not in text


async def broken(request: Request) -> Response:
    raise RuntimeError(SECRET_IN_THE_EXCEPTION)


def test_an_unhandled_exception_gets_a_plain_500_page_with_the_security_headers(
    world: World,
) -> None:
    app = world.client().app
    app.add_route("/broken", broken)  # type: ignore[attr-defined]
    client = TestClient(
        app, base_url=BASE_URL, raise_server_exceptions=False, follow_redirects=False
    )
    sign_in(world, client, world.iris)
    response = client.get("/broken")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Something went wrong</h1>" in response.text
    assert "tell the operator" in response.text
    assert_plain(response.text)
    assert_secure(response)


def test_a_database_missing_a_table_gives_the_500_page_not_a_stack(world: World) -> None:
    """A real failure below the site: the sessions table is gone (as in a database restored
    from an old backup and not migrated), so every signed-in page fails in SQLite."""
    client = TestClient(
        world.client().app, base_url=BASE_URL, raise_server_exceptions=False, follow_redirects=False
    )
    sign_in(world, client, world.sofia.user_id)
    assert client.get("/").status_code == 200
    database = str(world.sessions.engine.url).removeprefix("sqlite:///")
    with closing(sqlite3.connect(database)) as raw:
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("DROP TABLE web_sessions")
        raw.commit()
    response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert_plain(response.text)
    assert "sqlite" not in response.text.lower() and "web_sessions" not in response.text
    assert_secure(response)


@pytest.mark.parametrize(("method", "path", "status"), [("GET", "/nope", 404), ("PUT", "/", 405)])
def test_unknown_addresses_and_wrong_methods_get_the_sites_page(
    world: World, method: str, path: str, status: int
) -> None:
    response = world.client().request(method, path)
    assert response.status_code == status
    assert "<h1>" in response.text and "Parley" in response.text
    assert_plain(response.text)
    assert_secure(response)


def test_a_body_over_the_limit_gets_413_with_every_security_header(world: World) -> None:
    client = world.client()
    big = b"x" * (300 * 1024)
    for path in ("/logout", "/login", f"/sessions/{world.sofia_session}/feedback"):
        response = client.post(
            path, content=big, headers={"content-type": "application/x-www-form-urlencoded"}
        )
        assert response.status_code == 413, path
        assert_secure(response)


def test_a_wrong_method_gets_405_with_allow(world: World) -> None:
    response = world.client().request("DELETE", "/logout")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert_secure(response)
    assert world.client().put("/").headers["allow"] in ("GET, HEAD", "HEAD, GET")
