"""Signing in with a one-time link, and signing out.

Opening a link (GET) only shows a "Sign in" button: link previews and mail scanners that fetch
the URL do not use it up. Pressing the button (POST) redeems the link once and sets the session
cookie: a random value, HttpOnly, SameSite=Strict, Secure behind https; the database keeps only
its hash. The button's form carries a nonce that must match a short-lived cookie set with the
page (double submit), so another site cannot sign a browser in to someone else's account.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.courses import web_login
from bot.web.forms import FormError, csrf_ok, read_form
from bot.web.site import COOKIE, SESSION_LIFETIME, Site, Visitor

log = logging.getLogger(__name__)

LOGIN_COOKIE = "parley_login"
Handler = Callable[[Request, Site, Visitor], Awaitable[Response]]


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def page(site: Site, request: Request, name: str, visitor: Visitor | None, **ctx: Any) -> str:
    return site.render(name, request, visitor, **ctx)


def html(
    site: Site, request: Request, name: str, visitor: Visitor | None, status: int = 200, **ctx: Any
) -> HTMLResponse:
    return HTMLResponse(page(site, request, name, visitor, **ctx), status_code=status)


def to_signin() -> RedirectResponse:
    return RedirectResponse("/signin", status_code=303)


def signed_in(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Anonymous visitors are sent to the sign-in explanation; POSTs must carry the CSRF token."""

    async def endpoint(request: Request) -> Response:
        site = site_of(request)
        visitor = await site.visitor(request)
        if visitor is None:
            return to_signin()
        if request.method == "POST":
            try:
                form = await read_form(request)
            except FormError:
                return refused(site, request, visitor, 400, site.say("form_unreadable"))
            if not csrf_ok(form, visitor.csrf):
                log.info(
                    "web form refused: missing or wrong CSRF token user=%d", visitor.viewer.user_id
                )
                return refused(site, request, visitor, 403, site.say("form_expired"))
            request.scope["form"] = form
        return await handler(request, site, visitor)

    return endpoint


def refused(
    site: Site, request: Request, visitor: Visitor | None, status: int, message: str
) -> HTMLResponse:
    return html(site, request, "error.html", visitor, status, status_code=status, message=message)


async def signin_page(request: Request) -> Response:
    site = site_of(request)
    if await site.visitor(request) is not None:
        return RedirectResponse("/", status_code=303)
    return html(site, request, "signin.html", None)


async def login_page(request: Request) -> Response:
    """The link's landing page: explains a bad link, or shows the button that signs in."""
    site = site_of(request)
    token = request.query_params.get("token", "")
    problem = await run_in_threadpool(_inspect, site, token)
    if problem is not None:
        log.info("web sign-in link refused reason=%s", problem.value)
        return html(
            site, request, "login.html", None, 400, problem=problem.value, token="", nonce=""
        )
    nonce = secrets.token_urlsafe(24)
    response = html(site, request, "login.html", None, problem=None, token=token, nonce=nonce)
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=int(web_login.LINK_LIFETIME.total_seconds()),
        path=web_login.LOGIN_PATH,
        secure=site.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return response


def _inspect(site: Site, token: str) -> web_login.LinkProblem | None:
    with site.database.begin() as db:
        return web_login.inspect(db, token, site.secret, site.clock())


async def login(request: Request) -> Response:
    """Redeem the link (once) and sign this browser in."""
    site = site_of(request)
    try:
        form = await read_form(request)
    except FormError:
        return refused(site, request, None, 400, site.say("form_unreadable"))
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not nonce or not hmac.compare_digest(nonce.encode(), form.get("nonce", "").encode()):
        log.info("web sign-in refused: the form's nonce does not match its cookie")
        return refused(site, request, None, 403, site.say("signin_form_expired"))
    user_id, problem = await run_in_threadpool(_redeem, site, form.get("token", ""))
    if user_id is None:
        log.info("web sign-in link refused reason=%s", problem)
        return html(site, request, "login.html", None, 400, problem=problem, token="", nonce="")
    raw = await run_in_threadpool(site.open_browser_session, user_id)
    log.info("web sign-in user=%d", user_id)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(LOGIN_COOKIE, path=web_login.LOGIN_PATH)
    response.set_cookie(
        COOKIE,
        raw,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=site.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return response


def _redeem(site: Site, token: str) -> tuple[int | None, str]:
    now = site.clock()
    with site.database.begin() as db:
        problem = web_login.inspect(db, token, site.secret, now)
        if problem is not None:
            return None, problem.value
        user_id = web_login.redeem(db, token, site.secret, now)
    if user_id is None:  # redeemed by another request in between
        return None, web_login.LinkProblem.USED.value
    if site.courses.viewer(user_id) is None:
        return None, web_login.LinkProblem.UNKNOWN.value
    return user_id, ""


@signed_in
async def logout(request: Request, site: Site, visitor: Visitor) -> Response:
    await run_in_threadpool(site.close_browser_session, visitor.cookie_hash)
    log.info("web sign-out user=%d", visitor.viewer.user_id)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
