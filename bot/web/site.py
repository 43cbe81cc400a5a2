"""What every request of the review site shares: the course service, the database, the
templates, the secret, the clock; and the signed-in browser behind a cookie.

The site decides nothing about access itself: it only knows who is signed in (the cookie) and
passes that `Viewer` to `CourseService`, which answers None for anything the viewer may not
see. Blocking database work runs in Starlette's thread pool, off the event loop.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from bot.courses.access import Viewer
from bot.courses.service import CourseService
from storage.courses import browsers as store
from storage.uow import Database

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "parley_session"
SESSION_LIFETIME = timedelta(hours=12)
LEVELS = ("risk", "watch", "gap", "clear")
MESSAGES = (
    "not_found",
    "wrong_method",
    "went_wrong",
    "failed",
    "form_unreadable",
    "form_expired",
    "signin_form_expired",
    "comment_empty",
    "comment_too_long",
    "message_empty",
    "message_too_long",
    "choose_lesson",
    "no_such_line",
    "choose_verdict",
    "verdict_needs_reason",
    "reply_verdict_needs_reason",
    "reason_too_long",
)
"""The messages of templates/messages.html the code asks for (`Site.say`)."""


def cookie_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def when(value: datetime | str | None) -> str:
    """One way to write a moment on every section of a page: a datetime, or an export's ISO
    text ("2026-11-25T09:00:00Z"), as "2026-11-25 09:00"; "" when there is none."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.removesuffix("Z"))
        except ValueError:
            return str(value)
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def templates() -> Environment:
    """Autoescaped HTML templates from files; user text only ever arrives as a variable."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["percent"] = lambda value: f"{round(value * 100)}%"
    env.globals["LEVELS"] = LEVELS
    return env


@dataclass(frozen=True)
class Visitor:
    """A signed-in browser: who, and the CSRF token its forms must carry."""

    viewer: Viewer
    csrf: str
    cookie_hash: str


class Site:
    """The review site's parts; one per application."""

    def __init__(
        self,
        courses: CourseService,
        database: Database,
        secret: str,
        base_url: str,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not secret:
            raise ValueError("WEB_SECRET_KEY is not set")
        self.courses = courses
        # One clock per request: the units of work carry it, so what a page stores is dated by it.
        self.database = database.with_clock(clock)
        self.secret = secret
        self.base_url = base_url.rstrip("/")
        self.secure_cookies = self.base_url.startswith("https://")
        self.clock = self.database.clock
        self.env = templates()
        self.stylesheet = (STATIC / "site.css").read_bytes()
        self.script = (STATIC / "annotate.js").read_bytes()
        self.messages = self.env.get_template("messages.html").module
        missing = [key for key in MESSAGES if not hasattr(self.messages, key)]
        if missing:
            raise ValueError(f"{TEMPLATES / 'messages.html'} has no {', '.join(missing)}")
        self.fallback_page = self.env.get_template("failed.html").render()
        """The 500 page for when drawing a page fails: ready before anything can."""

    def say(self, key: str, **context: Any) -> str:
        """One of the site's messages (templates/messages.html), HTML-safe for a template."""
        message: str = getattr(self.messages, key)(**context)
        return message

    def render(self, name: str, request: Request, visitor: Visitor | None, **context: Any) -> str:
        return self.env.get_template(name).render(
            visitor=visitor,
            csrf=visitor.csrf if visitor else "",
            path=request.url.path,
            **context,
        )

    # ---- signed-in browsers ----------------------------------------------------------------
    async def visitor(self, request: Request) -> Visitor | None:
        """The signed-in visitor of this request (looked up once per request)."""
        if "visitor" in request.scope:
            found: Visitor | None = request.scope["visitor"]
            return found
        raw = request.cookies.get(COOKIE, "")
        found = await run_in_threadpool(self._lookup, raw) if 20 <= len(raw) <= 100 else None
        request.scope["visitor"] = found
        return found

    def _lookup(self, raw: str) -> Visitor | None:
        hashed = cookie_hash(raw)
        with self.database.begin() as db:
            row = store.browser(db, hashed, self.clock())
        if row is None:
            return None
        viewer = self.courses.viewer(row.user_id)
        return Visitor(viewer, row.csrf_token, hashed) if viewer is not None else None

    def open_browser_session(self, user_id: int) -> str:
        """A new signed-in browser for `user_id`; returns the cookie value (kept only hashed)."""
        raw = secrets.token_urlsafe(32)
        now = self.clock()
        with self.database.begin() as db:
            store.forget_old_browsers(db, now)
            store.add_browser(
                db,
                cookie_hash(raw),
                user_id,
                secrets.token_urlsafe(32),
                now,
                now + SESSION_LIFETIME,
            )
        return raw

    def name_of(self, user_id: int) -> str:
        """A student's name, for a page the course service has already let this viewer see."""
        with self.database.begin() as db:
            return store.student_label(db, user_id)

    def close_browser_session(self, hashed: str) -> None:
        with self.database.begin() as db:
            store.remove_browser(db, hashed)
