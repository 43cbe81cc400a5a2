"""The review site's pages on a big cohort: 200 students, 2,000 completed sessions, the heatmap
sorted and filtered (issue 14) as well as by name.

Seven real coaching sessions (one per persona, through the coach service) are copied row by
row into 2,000 completed sessions with their answers, transcripts and findings, all shared
with one cohort, with instructor verdicts on a third of them. Then each page is fetched over
HTTP from the site served by uvicorn on 127.0.0.1, signed in as the cohort's instructor, and
timed end to end (request to last byte). The baseline, measured in the same run, is /healthz:
the same server, middleware and HTTP client with no database or template behind it.
Target: every page under 200 ms.
"""

from __future__ import annotations

import re
import socket
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import httpx
import uvicorn

from bench.stats import percentile
from bot.courses import cohorts, web_login
from bot.courses.service import CourseService
from bot.engine.content import load_content
from bot.web.app import create_app
from bot.wiring import coach_service
from storage import repository as repo
from storage.database import open_database
from tests.web import seed

STUDENTS = 200
PER_STUDENT = 10
TARGET = 0.200
SECRET = "bench-secret"


def build(folder: Path) -> tuple[CourseService, int, int, int, int]:
    """The cohort; returns (service, instructor user id, cohort id, a student, a session)."""
    content = load_content()
    sessions = open_database(f"sqlite:///{folder / 'web.db'}")
    coach = coach_service(sessions, content)
    courses = CourseService(sessions, content, frozenset())
    cohort_id = seed.instructor_with_cohort(courses, 7001, "Iris", "Big cohort")
    templates = []
    for n, name in enumerate(seed.persona_names()):
        model = seed.Student(900_000 + n, f"Model {n}")
        templates.append(seed.coach(coach, model, name, first=True))
    coach.close()
    now = datetime(2026, 11, 1, 9, 0)
    owners = []
    with sessions.begin() as db:
        for n in range(STUDENTS):
            user = repo.get_or_create_user(
                db, f"telegram:{10_000 + n}", "telegram", f"Student {n:03}"
            )
            cohorts.join(db, user.id, cohort_id, now)
            owners.append(user.id)
    made = seed.clone_sessions(sessions, templates, owners, PER_STUDENT, now)
    instructor = courses.viewer_for_telegram(7001)
    assert instructor is not None
    with sessions.begin() as db:
        for owner, session_id in made:
            cohorts.share(db, owner, session_id, cohort_id, now)
    for index, (_owner, session_id) in enumerate(made[::3]):
        agree = index % 4 == 0
        reason = "" if agree else "The alternative is stronger than the bot read."
        courses.set_verdict(instructor, session_id, "power", agree, "watch", reason)
        courses.mark_reviewed(instructor, session_id)  # a third of the queue done
    student, session_id = made[len(made) // 2]
    return courses, instructor.user_id, cohort_id, student, session_id


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sign_in(client: httpx.Client, courses: CourseService, user_id: int, base: str) -> None:
    with courses.database.begin() as db:
        link = web_login.issue_login_url(db, user_id, base, SECRET, db.now())
    landing = client.get(link.removeprefix(base))
    nonce = re.search(r'name="nonce" value="([^"]+)"', landing.text)
    assert nonce is not None
    token = unquote(link.partition("token=")[2])
    client.post("/login", data={"token": token, "nonce": nonce.group(1)})
    assert client.get("/").status_code == 200


def _time(client: httpx.Client, path: str, rounds: int) -> list[float]:
    client.get(path)  # warm: templates compiled, caches filled
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        response.read()
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return samples


def main(rounds: int = 40) -> None:
    print(f"== review site pages ({STUDENTS} students, {STUDENTS * PER_STUDENT} sessions) ==")
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        courses, instructor, cohort_id, student, session_id = build(Path(folder))
        print(f"generated the cohort in {time.perf_counter() - started:.1f}s")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        app = create_app(courses, courses.database, SECRET, base)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        pages = {
            "baseline /healthz": "/healthz",
            "home (my cohorts)": "/",
            "cohort overview": f"/cohorts/{cohort_id}",
            "cohort overview, page 4": f"/cohorts/{cohort_id}?page=4",
            "heatmap, most at risk": f"/cohorts/{cohort_id}?sort=risk",
            "heatmap, by lesson, page 3": f"/cohorts/{cohort_id}?sort=time&page=3",
            "heatmap, power=risk, review": (
                f"/cohorts/{cohort_id}?lesson=power&level=risk&show=review&sort=risk"
            ),
            "student": f"/cohorts/{cohort_id}/students/{student}",
            "session": f"/sessions/{session_id}",
            "search transcripts": f"/cohorts/{cohort_id}/search?q=landlord",
            # A word inside most lines ("a"): the LIKE keeps nearly all, whole words far fewer.
            "search, common word": f"/cohorts/{cohort_id}/search?q=a",
            "search, power=risk": f"/cohorts/{cohort_id}/search?q=rent&lesson=power&level=risk",
            "cohort CSV (2,000 rows)": f"/cohorts/{cohort_id}/levels.csv",
        }
        try:
            with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
                _sign_in(client, courses, instructor, base)
                results = {name: _time(client, path, rounds) for name, path in pages.items()}
        finally:
            server.should_exit = True
            thread.join(10)
            courses.database.dispose()
    base50 = percentile(results["baseline /healthz"], 0.5)
    slowest = 0.0
    for name, samples in results.items():
        p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
        if not name.startswith("baseline"):
            slowest = max(slowest, p95)
        print(
            f"{name:<28} n={len(samples):>3}  p50={p50 * 1e3:7.1f}ms  p95={p95 * 1e3:7.1f}ms"
            f"  x{p50 / base50:6.1f} baseline"
        )
    verdict = "met" if slowest < TARGET else "NOT met"
    print(
        f"target every page p95 < {TARGET * 1e3:.0f} ms: {verdict} (slowest p95 {slowest * 1e3:.1f} ms)"
    )


if __name__ == "__main__":
    main()
