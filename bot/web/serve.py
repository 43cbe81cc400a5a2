"""`python -m bot web` and `python -m bot web-login TELEGRAM_ID`.

The site refuses to start without WEB_SECRET_KEY: it signs every sign-in link, and a default
would let anyone who read the source make one. uvicorn's access log is off because a sign-in
URL carries its token in the query string; the site logs sign-ins itself, without tokens.
"""

from __future__ import annotations

import logging
import threading

import uvicorn
from starlette.applications import Starlette

from bot.coach import charts
from bot.config import Settings, ensure_listenable
from bot.courses import web_login
from bot.courses.service import CourseService
from bot.engine.content import DIALOGUES_DIR, load_content
from bot.errors import ParleyError
from bot.web.app import create_app
from storage.database import open_database
from storage.uow import Database

log = logging.getLogger(__name__)

NO_SECRET = (
    "WEB_SECRET_KEY is not set. The review site signs its sign-in links with it; set a long "
    "random value in .env, e.g. the output of: "
    'python -c "import secrets; print(secrets.token_urlsafe(32))"'
)


class WebSetupError(ParleyError):
    """The site cannot start or issue a link as configured; the message says what to do."""


def _parts(settings: Settings) -> tuple[CourseService, Database]:
    if not settings.web_secret_key.get_secret_value():
        raise WebSetupError(NO_SECRET)
    content = load_content(settings.dialogues_dir or DIALOGUES_DIR)
    database = open_database(settings.database_url.get_secret_value(), settings.database_pool_size)
    return CourseService(database, content, settings.admin_ids), database


def build_app(settings: Settings) -> Starlette:
    courses, database = _parts(settings)
    return create_app(
        courses, database, settings.web_secret_key.get_secret_value(), settings.site_base_url
    )


def serve(settings: Settings) -> None:
    # A port in use is said before the database is opened or migrated; a missing secret is
    # said first (build_app) as it needs no port at all.
    if settings.web_secret_key.get_secret_value():
        ensure_listenable("WEB_PORT", settings.web_host, settings.web_port)
    app = build_app(settings)
    # The first lesson chart loads its font: do it now, not in a visitor's request.
    threading.Thread(target=charts.warm_up, name="chart-warm-up", daemon=True).start()
    log.info(
        "review site listening host=%s port=%d url=%s",
        settings.web_host,
        settings.web_port,
        settings.site_base_url,
    )
    uvicorn.Server(server_config(app, settings.web_host, settings.web_port)).run()


KEEP_ALIVE_SECONDS = 5
MAX_HEADER_BYTES = 16 * 1024
MAX_CONNECTIONS = 200


def server_config(app: Starlette, host: str, port: int) -> uvicorn.Config:
    """uvicorn as the site runs it: an idle keep-alive connection is closed after 5 s, request
    headers may not exceed 16 KB, beyond 200 open connections new requests get 503, and a
    stalled request body gets 408 (bot.web.security.BodyReadTimeout). uvicorn cannot time
    out a client that sends its headers slowly: the reverse proxy must (docs/deploy.md)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        limit_concurrency=MAX_CONNECTIONS,
    )


def login_url(settings: Settings, telegram_id: int) -> str:
    """A one-time sign-in URL for the Parley user with this Telegram id."""
    courses, database = _parts(settings)
    try:
        viewer = courses.viewer_for_telegram(telegram_id)
        if viewer is None:
            raise WebSetupError(
                f"Telegram user {telegram_id} is unknown to Parley: they must send /start to "
                "the bot first, or be made an instructor (python -m bot instructors add ID)"
            )
        if not viewer.is_instructor:
            log.info(
                "Telegram user %d is not an instructor: the site shows them their own sessions",
                telegram_id,
            )
        with database.begin() as db:
            return web_login.issue_login_url(
                db,
                viewer.user_id,
                settings.site_base_url,
                settings.web_secret_key.get_secret_value(),
                db.now(),
            )
    finally:
        database.dispose()
