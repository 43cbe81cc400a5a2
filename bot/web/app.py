"""The review site's ASGI application: `python -m bot web` serves it with uvicorn.

Routes are listed here in one place; the handlers live in `auth` (signing in and out),
`pages` (what an instructor reads) and `actions` (forms and downloads).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.courses.service import CourseService
from bot.web import actions, auth, pages
from bot.web.security import BODY_TIMEOUT, BodyReadTimeout, SecurityHeaders, page_headers
from bot.web.site import Site
from storage.uow import Database

MAX_BODY = 256 * 1024


async def stylesheet(request: Request) -> Response:
    site = auth.site_of(request)
    return Response(
        site.stylesheet,
        media_type="text/css",
        headers={"cache-control": "public, max-age=3600"},
    )


async def script(request: Request) -> Response:
    """The one script: the session page's "Annotate" control that follows the selected line
    (the page works without it: each line has its own link)."""
    site = auth.site_of(request)
    return Response(
        site.script,
        media_type="text/javascript",
        headers={"cache-control": "public, max-age=3600"},
    )


async def healthz(request: Request) -> Response:
    """Liveness, and the benchmark's baseline: no database, no template."""
    return PlainTextResponse("ok")


async def http_error(request: Request, exc: Exception) -> Response:
    """404 for unknown addresses, 405 for a wrong method: the site's own page, not a stack."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    site = auth.site_of(request)
    visitor = await site.visitor(request)
    message = {404: "not_found", 405: "wrong_method"}.get(status, "went_wrong")
    response = auth.refused(site, request, visitor, status, site.say(message))
    if isinstance(exc, HTTPException) and exc.headers:  # a 405's Allow, say
        response.headers.update(exc.headers)
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    """An unhandled exception: a plain page with every security header, never a traceback.
    Starlette re-raises the exception after this, so the server logs it for the operator. The
    page is drawn without the visitor (their lookup needs the database, which may be what
    failed), and a failing template falls back to the page drawn at start-up."""
    site = auth.site_of(request)
    try:
        body = site.render("error.html", request, None, status_code=500, message=site.say("failed"))
    except Exception:
        body = site.fallback_page
    return HTMLResponse(body, status_code=500, headers=page_headers())


ROUTES = [
    Route("/", pages.home),
    Route("/my", pages.mine),
    Route("/signin", auth.signin_page),
    Route("/login", auth.login_page, methods=["GET"]),
    Route("/login", auth.login, methods=["POST"]),
    Route("/logout", auth.logout, methods=["POST"]),
    Route("/cohorts/{cohort_id}", pages.cohort),
    Route("/cohorts/{cohort_id}/search", pages.search),
    Route("/cohorts/{cohort_id}/trend", pages.trend),
    Route("/cohorts/{cohort_id}/students/{student_id}", pages.student),
    Route("/cohorts/{cohort_id}/levels.csv", actions.cohort_csv),
    Route("/sessions/{session_id}", pages.session),
    Route("/sessions/{session_id}/export.json", actions.export_json),
    Route("/sessions/{session_id}/export.html", actions.export_html),
    Route("/sessions/{session_id}/annotations", actions.annotate, methods=["POST"]),
    Route("/sessions/{session_id}/notes/{note_id}", actions.edit_note, methods=["POST"]),
    Route("/sessions/{session_id}/notes/{note_id}/delete", actions.delete_note, methods=["POST"]),
    Route("/sessions/{session_id}/verdicts", actions.verdict, methods=["POST"]),
    Route(
        "/sessions/{session_id}/replies/{reply_id}/verdicts",
        actions.reply_verdict,
        methods=["POST"],
    ),
    Route("/sessions/{session_id}/feedback", actions.feedback, methods=["POST"]),
    Route("/sessions/{session_id}/reviewed", actions.reviewed, methods=["POST"]),
    Route("/chart.png", pages.chart),
    Route("/static/site.css", stylesheet),
    Route("/static/annotate.js", script),
    Route("/healthz", healthz),
    Route("/favicon.ico", lambda request: Response(status_code=204)),
]


def create_app(
    courses: CourseService,
    database: Database,
    secret: str,
    base_url: str,
    clock: Callable[[], datetime] | None = None,
    body_timeout: float = BODY_TIMEOUT,
) -> Starlette:
    """The site over `courses` (which decides every access) and the same database."""
    app = Starlette(
        routes=ROUTES,
        # The body limit inside the headers: its own 413 gets the security headers too.
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(BodyReadTimeout, timeout=body_timeout),
            Middleware(RequestBodyLimitMiddleware, max_body_size=MAX_BODY),
        ],
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
    app.state.site = Site(courses, database, secret, base_url, clock)
    return app
