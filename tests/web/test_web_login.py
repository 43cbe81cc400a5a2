"""`bot.courses.web_login`, the sign-in links shared by Telegram's /web, the CLI and the site."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.courses import web_login
from tests.web.conftest import SECRET, World


def test_a_token_redeems_once_for_its_user(world: World) -> None:
    now = world.clock()
    with world.sessions.begin() as db:
        token = web_login.issue_token(db, world.iris, SECRET, now)
    with world.sessions.begin() as db:
        assert web_login.inspect(db, token, SECRET, now) is None
        assert web_login.redeem(db, token, SECRET, now) == world.iris
    with world.sessions.begin() as db:
        assert web_login.redeem(db, token, SECRET, now) is None
        assert web_login.inspect(db, token, SECRET, now) is web_login.LinkProblem.USED


def test_a_token_expires_ten_minutes_after_it_was_issued(world: World) -> None:
    now = world.clock()
    with world.sessions.begin() as db:
        token = web_login.issue_token(db, world.iris, SECRET, now)
    late = now + timedelta(minutes=10)
    with world.sessions.begin() as db:
        assert web_login.inspect(db, token, SECRET, late) is web_login.LinkProblem.EXPIRED
        assert web_login.redeem(db, token, SECRET, late) is None
        assert web_login.redeem(db, token, SECRET, now + timedelta(minutes=9)) == world.iris


@pytest.mark.parametrize("secret", [SECRET + "x", ""])
def test_a_token_checked_with_another_secret_is_malformed(world: World, secret: str) -> None:
    now = world.clock()
    with world.sessions.begin() as db:
        token = web_login.issue_token(db, world.iris, SECRET, now)
        assert web_login.inspect(db, token, secret, now) is web_login.LinkProblem.MALFORMED
        assert web_login.redeem(db, token, secret, now) is None


def test_no_token_is_issued_without_a_secret(world: World) -> None:
    with world.sessions.begin() as db, pytest.raises(ValueError, match="WEB_SECRET_KEY"):
        web_login.issue_login_url(db, world.iris, "http://x", "", world.clock())
