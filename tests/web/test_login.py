"""Signing in with a one-time link: single use, ten minutes, signed; the cookie it sets; signing
out; and that neither tokens nor cookies are kept in the clear or written to the log."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import unquote

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from bot.courses import web_login
from bot.web.app import create_app
from storage.schema.courses import LoginToken, WebSession
from tests.web.conftest import BASE_URL, NONCE_RE, SECRET, World, sign_in


def token_of(link: str) -> str:
    return unquote(link.partition("token=")[2])


def open_link(client: TestClient, token: str) -> tuple[int, str, str]:
    """GET the landing page; (status, text, nonce or "")."""
    response = client.get("/login", params={"token": token})
    found = NONCE_RE.search(response.text)
    return response.status_code, response.text, found.group(1) if found else ""


def press_sign_in(client: TestClient, token: str, nonce: str) -> int:
    return client.post("/login", data={"token": token, "nonce": nonce}).status_code


def test_a_link_signs_in_once_with_a_strict_httponly_cookie(world: World) -> None:
    client = world.client()
    link = world.link(world.iris)
    assert link.startswith(f"{BASE_URL}/login?token=")
    status, text, nonce = open_link(client, token_of(link))
    assert status == 200 and "Sign in" in text and nonce
    response = client.post("/login", data={"token": token_of(link), "nonce": nonce})
    assert (response.status_code, response.headers["location"]) == (303, "/")
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("parley_session=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/"} <= flags
    assert "secure" not in flags  # plain http here; see the https test
    home = client.get("/")
    assert home.status_code == 200 and "Negotiation 101" in home.text and "Iris" in home.text


def test_a_replayed_link_shows_a_clear_page_and_signs_nobody_in(world: World) -> None:
    token = token_of(world.link(world.iris))
    first = world.client()
    _status, _text, nonce = open_link(first, token)
    assert press_sign_in(first, token, nonce) == 303

    second = world.client()
    status, text, nonce_again = open_link(second, token)
    assert status == 400 and "used already" in text and nonce_again == ""
    # Posting the used token straight away (a replay of the first POST) fails the same way.
    second.cookies.set("parley_login", "n" * 32, path="/login")
    response = second.post("/login", data={"token": token, "nonce": "n" * 32})
    assert response.status_code == 400 and "used already" in response.text
    assert "parley_session" not in response.headers.get("set-cookie", "")
    assert second.get("/").headers["location"] == "/signin"


@pytest.mark.parametrize("where", ["signature", "id", "truncated", "garbage"])
def test_a_tampered_link_is_refused_with_a_clear_page(world: World, where: str) -> None:
    token = token_of(world.link(world.iris))
    raw_id, _, signature = token.partition(".")

    def flipped(part: str) -> str:  # the first character changed, whatever it was
        return ("B" if part[0] == "A" else "A") + part[1:]

    tampered = {
        "signature": f"{raw_id}.{flipped(signature)}",
        "id": f"{flipped(raw_id)}.{signature}",
        "truncated": token[:-3],
        "garbage": "<script>alert(1)</script>",
    }[where]
    client = world.client()
    status, text, nonce = open_link(client, tampered)
    assert status == 400 and "not a valid Parley link" in text and nonce == ""
    assert "<script>alert(1)" not in text
    client.cookies.set("parley_login", "n" * 32, path="/login")
    assert press_sign_in(client, tampered, "n" * 32) == 400
    assert client.get("/").status_code == 303
    # The untampered link still works: a forgery does not use it up.
    assert sign_in(world, world.client(), world.iris)


def test_a_link_expires_after_ten_minutes(world: World) -> None:
    token = token_of(world.link(world.iris))
    world.clock.now += timedelta(minutes=10, seconds=1)
    client = world.client()
    status, text, _nonce = open_link(client, token)
    assert status == 400 and "expired" in text


def test_a_link_signed_with_another_secret_is_refused(world: World) -> None:
    with world.sessions.begin() as db:
        link = web_login.issue_login_url(db, world.iris, BASE_URL, "another-secret", world.clock())
    status, text, _nonce = open_link(world.client(), token_of(link))
    assert status == 400 and "not a valid Parley link" in text


def test_signing_in_without_the_pages_nonce_is_refused_and_keeps_the_link(world: World) -> None:
    """Another site cannot post a link to sign a visitor in as someone else (login CSRF)."""
    token = token_of(world.link(world.iris))
    client = world.client()
    response = client.post("/login", data={"token": token, "nonce": "made-up"})
    assert response.status_code == 403 and "expired" in response.text
    assert client.get("/").status_code == 303
    _status, _text, nonce = open_link(client, token)
    assert press_sign_in(client, token, nonce) == 303


def test_signing_out_ends_the_session_for_good(world: World) -> None:
    client = world.client()
    csrf = sign_in(world, client, world.iris)
    cookie = client.cookies.get("parley_session")
    assert cookie
    assert client.post("/logout", data={"csrf": "wrong"}).status_code == 403
    assert client.get("/").status_code == 200
    response = client.post("/logout", data={"csrf": csrf})
    assert (response.status_code, response.headers["location"]) == (303, "/signin")
    assert client.get("/").headers["location"] == "/signin"
    stale = world.client()
    stale.cookies.set("parley_session", cookie)
    assert stale.get("/").headers["location"] == "/signin"


def test_a_browser_session_ends_after_twelve_hours(world: World) -> None:
    client = world.client()
    sign_in(world, client, world.iris)
    world.clock.now += timedelta(hours=11, minutes=59)
    assert client.get("/").status_code == 200
    world.clock.now += timedelta(minutes=2)
    assert client.get("/").headers["location"] == "/signin"


def test_the_database_keeps_only_hashes_of_links_and_cookies(world: World) -> None:
    client = world.client()
    link = world.link(world.iris)
    token = token_of(link)
    _status, _text, nonce = open_link(client, token)
    press_sign_in(client, token, nonce)
    cookie = client.cookies.get("parley_session")
    assert cookie
    with world.sessions.begin() as db:
        stored_ids = list(db.execute(select(LoginToken.id)).scalars())
        stored_browsers = list(db.execute(select(WebSession.id_hash)).scalars())
    raw_id = token.partition(".")[0]
    assert raw_id not in stored_ids and web_login.hash_id(raw_id) in stored_ids
    assert cookie not in stored_browsers and web_login.hash_id(cookie) in stored_browsers


def test_cookies_are_secure_when_the_site_is_served_over_https(world: World) -> None:
    app = create_app(world.courses, world.sessions, SECRET, "https://review.example", world.clock)
    client = TestClient(app, base_url="https://review.example", follow_redirects=False)
    token = token_of(world.link(world.iris))
    _status, _text, nonce = open_link(client, token)
    response = client.post("/login", data={"token": token, "nonce": nonce})
    cookie = response.headers["set-cookie"].lower()
    assert "secure" in {part.strip() for part in cookie.split(";")}


def test_log_lines_never_contain_a_token_or_a_cookie(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = world.client()
    token = token_of(world.link(world.iris))
    _status, _text, nonce = open_link(client, token)
    press_sign_in(client, token, nonce)
    open_link(client, token)  # replayed: logged as refused
    cookie = client.cookies.get("parley_session")
    assert cookie
    logged = "\n".join(  # the site's own records (the test's HTTP client logs its URLs)
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("bot", "storage", "uvicorn", "starlette"))
    )
    assert "web sign-in user=" in logged and "reason=used" in logged
    for secret in (token, token.partition(".")[0], token.partition(".")[2], cookie, nonce):
        assert secret not in logged


def test_a_link_with_non_ascii_characters_is_refused_as_malformed_not_a_500(world: World) -> None:
    token = token_of(world.link(world.iris))
    raw_id, _, signature = token.partition(".")
    client = world.client()
    for forged in (f"{raw_id}.{signature[:-1]}é", f"{raw_id}.²", f"{raw_id}.\x00"):
        status, text, _nonce = open_link(client, forged)
        assert status == 400 and "not a valid Parley link" in text, (forged, status)
        client.cookies.set("parley_login", "n" * 32, path="/login")
        assert press_sign_in(client, forged, "n" * 32) == 400
    assert sign_in(world, world.client(), world.iris)
