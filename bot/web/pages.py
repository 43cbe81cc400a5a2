"""The pages of the site: an instructor's cohorts, a cohort's overview, a student, search, a
session; and everyone's own "My sessions" (a student's home page).

Each asks `CourseService` with the signed-in viewer; None from the service (missing, or not the
viewer's) becomes the same 404 page, so a refusal never tells whether the object exists.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot.coach.charts import LEVELS, lesson_chart, lesson_chart_alt
from bot.coach.ids import parse_row_id
from bot.courses import heatmap
from bot.courses.own_sessions import load_own_data
from bot.courses.types import Arrangement, QueuePlace, SessionReview
from bot.web.auth import html, refused, signed_in
from bot.web.forms import without_nul
from bot.web.security import SCRIPTED_POLICY
from bot.web.session_view import session_view
from bot.web.site import Site, Visitor
from storage.courses.search import whole_words

PER_PAGE = 50
HITS_PER_PAGE = 20


def not_found(site: Site, request: Request, visitor: Visitor) -> HTMLResponse:
    return refused(site, request, visitor, 404, site.say("not_found"))


def number(request: Request, name: str) -> int | None:
    """A row id or page number from the path or query (`bot.coach.ids.parse_row_id`: ASCII
    digits within the integer column's range); None when it is not one."""
    raw = request.path_params.get(name, request.query_params.get(name, ""))
    return parse_row_id(str(raw)) if not str(raw).startswith("#") else None


def lesson_titles(site: Site) -> dict[str, str]:
    return {lesson.id: lesson.title for lesson in site.courses.content.book.lessons}


@signed_in
async def home(request: Request, site: Site, visitor: Visitor) -> Response:
    """An instructor's cohorts; for everyone else their own sessions."""
    if not visitor.viewer.is_instructor:
        return await _mine(request, site, visitor)

    def load() -> tuple[Any, dict[int, int]]:
        found = site.courses.cohorts_for(visitor.viewer)
        return found, site.courses.new_by_cohort(visitor.viewer, [c.id for c in found])

    cohorts, new = await run_in_threadpool(load)
    return html(site, request, "home.html", visitor, cohorts=cohorts, new=new)


@signed_in
async def mine(request: Request, site: Site, visitor: Visitor) -> Response:
    return await _mine(request, site, visitor)


async def _mine(request: Request, site: Site, visitor: Visitor) -> Response:
    """The visitor's own sessions and who has read them (as /privacy shows in Telegram)."""
    data = await run_in_threadpool(load_own_data, site.database, visitor.viewer)
    return html(
        site, request, "mine.html", visitor, data=data, lessons=list(lesson_titles(site).items())
    )


def arrangement(request: Request, lessons: dict[str, str]) -> Arrangement:
    """The heatmap's sort and filters from the address; anything unknown is left out (an old or
    edited link still shows the cohort, sorted by name)."""
    given = request.query_params
    sort = given.get("sort", "name")
    lesson = given.get("lesson", "")
    level = given.get("level", "")
    show = given.get("show", "")
    return Arrangement(
        sort=sort if sort in heatmap.SORTS or sort in lessons else "name",
        lesson=lesson if lesson in lessons else "",
        level=level if level in heatmap.RANK and level else "",
        show=show if show in heatmap.SHOWS else "",
    )


@signed_in
async def cohort(request: Request, site: Site, visitor: Visitor) -> Response:
    cohort_id = number(request, "cohort_id")
    page = number(request, "page") or 1
    query = without_nul(request.query_params.get("q", ""))[:100]
    titles = lesson_titles(site)
    arranged = arrangement(request, titles)
    overview = (
        await run_in_threadpool(
            site.courses.cohort_overview,
            visitor.viewer,
            cohort_id,
            page,
            PER_PAGE,
            query,
            arranged,
        )
        if cohort_id is not None
        else None
    )
    if overview is None:
        return not_found(site, request, visitor)
    keep = {"q": query, "sort": arranged.sort, "lesson": arranged.lesson, "level": arranged.level}
    keep["show"] = arranged.show
    return html(
        site,
        request,
        "cohort.html",
        visitor,
        o=overview,
        lesson_titles=titles,
        shorts={it.id: it.short or it.title for it in site.courses.content.book.lessons},
        levels=[lv for lv in heatmap.RANK if lv and lv != heatmap.NOT_REACHED],
        keep={k: v for k, v in keep.items() if v and (k, v) != ("sort", "name")},
    )


@signed_in
async def trend(request: Request, site: Site, visitor: Visitor) -> Response:
    """The cohort's risk and watch counts per lesson by ISO week (issue 14, item 5)."""
    cohort_id = number(request, "cohort_id")
    found = (
        await run_in_threadpool(site.courses.cohort_trend, visitor.viewer, cohort_id)
        if cohort_id is not None
        else None
    )
    if found is None:
        return not_found(site, request, visitor)
    return html(site, request, "trend.html", visitor, t=found)


@signed_in
async def student(request: Request, site: Site, visitor: Visitor) -> Response:
    cohort_id, student_id = number(request, "cohort_id"), number(request, "student_id")
    if cohort_id is None or student_id is None:
        return not_found(site, request, visitor)

    def load() -> tuple[Any, Any, str]:
        sessions = site.courses.student_sessions(visitor.viewer, cohort_id, student_id)
        if sessions is None:
            return None, None, ""
        # The service said yes: this viewer instructs a cohort this student is in.
        cohorts = site.courses.cohorts_for(visitor.viewer)
        return (
            sessions,
            next((c for c in cohorts if c.id == cohort_id), None),
            site.name_of(student_id),
        )

    sessions, info, name = await run_in_threadpool(load)
    if sessions is None or info is None:
        return not_found(site, request, visitor)
    return html(
        site,
        request,
        "student.html",
        visitor,
        cohort=info,
        student_name=name,
        sessions=sessions,
        lessons=list(lesson_titles(site).items()),
    )


def highlight(text: str, query: str) -> list[tuple[str, bool]]:
    """`text` cut into (part, matches query) pieces for <mark>: whole words, case-insensitively,
    as the search found them ("rent" is marked in "the rent", not in "current")."""
    if not query.strip():
        return [(text, False)]
    pieces = re.split(f"({whole_words(query).pattern})", text, flags=re.IGNORECASE)
    return [(piece, i % 2 == 1) for i, piece in enumerate(pieces) if piece]


@signed_in
async def search(request: Request, site: Site, visitor: Visitor) -> Response:
    cohort_id = number(request, "cohort_id")
    page = number(request, "page") or 1
    query = without_nul(request.query_params.get("q", ""))[:100]
    lesson = without_nul(request.query_params.get("lesson", ""))[:40]
    level = without_nul(request.query_params.get("level", ""))[:40]
    if cohort_id is None:
        return not_found(site, request, visitor)

    def load() -> tuple[Any, Any]:
        result = site.courses.search(
            visitor.viewer, cohort_id, query, page, HITS_PER_PAGE, lesson, level
        )
        if result is None:
            return None, None
        return result, site.courses.cohorts_for(visitor.viewer)

    result, cohorts = await run_in_threadpool(load)
    info = next((c for c in cohorts or [] if c.id == cohort_id), None)
    if result is None or info is None:
        return not_found(site, request, visitor)
    hits = [(hit, highlight(hit.text, result.query)) for hit in result.hits]
    keep = {k: v for k, v in (("lesson", result.lesson), ("level", result.level)) if v}
    return html(
        site,
        request,
        "search.html",
        visitor,
        cohort=info,
        result=result,
        hits=hits,
        lessons=list(lesson_titles(site).items()),
        levels=list(heatmap.JUDGED),
        keep=keep,
    )


@signed_in
async def session(request: Request, site: Site, visitor: Visitor) -> Response:
    session_id = number(request, "session_id")

    def load(session_id: int) -> tuple[SessionReview | None, QueuePlace | None]:
        found = site.courses.session_review(visitor.viewer, session_id, "web")
        if found is None or found.student_user_id == visitor.viewer.user_id:
            return found, None
        return found, site.courses.queue_place(visitor.viewer, found.session_id)

    review, place = (
        await run_in_threadpool(load, session_id) if session_id is not None else (None, None)
    )
    if review is None:
        return not_found(site, request, visitor)
    viewer = visitor.viewer
    titles = lesson_titles(site)
    own = review.student_user_id == viewer.user_id
    page = html(
        site,
        request,
        "session.html",
        visitor,
        r=review,
        can_review=viewer.is_instructor and not own,
        own=own,
        lessons=list(titles.items()),
        lesson_titles=titles,
        debrief=review.export.get("debrief"),
        chart_query=urlencode(dict(review.levels) | ({} if own else {"view": "review"}))
        if review.levels
        else "",
        chart_alt=lesson_chart_alt(site.courses.content, review.levels) if review.levels else "",
        done=request.query_params.get("done", ""),
        judged=heatmap.JUDGED,
        place=place,
        back="/" if viewer.is_instructor and not own else "/my",
        **session_view(
            site.courses.content,
            review,
            viewer.user_id,
            request.query_params.get("view", ""),
            number(request, "annotate"),
        ),
    )
    if viewer.is_instructor and not own:  # the Annotate control's script, from /static only
        page.headers["content-security-policy"] = SCRIPTED_POLICY
    return page


@signed_in
async def chart(request: Request, site: Site, visitor: Visitor) -> Response:
    """The lesson chart for the levels in the address (a session page links its own levels):
    the picture shows nothing the page does not, so it needs no access decision of its own."""
    titles = lesson_titles(site)
    given = {key: value for key, value in request.query_params.items() if key != "view"}
    if any(key not in titles or value not in LEVELS for key, value in given.items()):
        return not_found(site, request, visitor)
    levels = {lesson_id: given.get(lesson_id, "gap") for lesson_id in titles}
    # A reviewer's copy is not titled "Your five lessons": the lessons are someone else's.
    title = "chart_title_review" if request.query_params.get("view") == "review" else "chart_title"
    content = site.courses.content
    png = await run_in_threadpool(lambda: lesson_chart(content, levels, title=title).png)
    return Response(
        png, media_type="image/png", headers={"cache-control": "private, max-age=86400"}
    )
