"""Course data for the review site's tests and benchmark, made the way users make it.

Students are coached through the real coach service (personas from tests/personas, answered by
text as a Telegram user would type), then join a cohort and share the session through the
course functions the Telegram commands use. `clone_sessions` copies finished sessions row by
row for the benchmark's 2,000, which the coach would take minutes to produce.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, select

from bot.coach.messages import Inbound
from bot.coach.service import CoachService
from bot.courses import cohorts
from bot.courses.service import CourseService
from storage import repository as repo
from storage.schema import Answer, CoachingSession, LessonFinding, TranscriptLine
from storage.uow import Database, UnitOfWork
from tests import persona as persona_file

PERSONAS = Path(__file__).resolve().parents[1] / "personas"
HOSTILE_TOPIC = "<script>alert('owned')</script> Rent {{ 7*7 }} for my flat"
HOSTILE_OTHER_SIDE = 'Mr. Okafor <a href="javascript:alert(1)">profile</a> javascript:alert(2)'
_deliveries = itertools.count(1)


def persona_answers(name: str, today: date) -> list[str]:
    return persona_file.answers(name, today)


def persona_names() -> list[str]:
    return sorted(path.stem for path in PERSONAS.glob("*.yaml"))


@dataclass
class Student:
    telegram_id: int
    name: str
    user_id: int = 0


def say(service: CoachService, telegram_id: int, name: str, text: str) -> None:
    ref = str(telegram_id)
    service.handle(
        Inbound("telegram", ref, ref, f"seed-{next(_deliveries)}", text=text, display_name=name)
    )


def coach(
    service: CoachService,
    student: Student,
    persona: str,
    overrides: Mapping[str, str] | None = None,
    first: bool = True,
) -> int:
    """One complete preparation session; `overrides` answers some questions (by id) instead
    of the persona. Returns the session id."""
    say(service, student.telegram_id, student.name, "/start" if first else "/new")
    sessions = service.database
    session_id = 0
    for answer in persona_answers(persona, service.clock().date()):
        with sessions.begin() as db:
            user = repo.user_by_external_id(db, f"telegram:{student.telegram_id}")
            assert user is not None and user.current_session_id is not None
            row = repo.get_session(db, user.current_session_id)
            assert row is not None
            student.user_id, session_id = user.id, row.id
        say(service, student.telegram_id, student.name, (overrides or {}).get(row.state, answer))
    with sessions.begin() as db:
        done = repo.get_session(db, session_id)
        assert done is not None and done.status == "completed", f"{persona} did not complete"
    return session_id


def join_and_share(
    sessions: Database, user_id: int, cohort_id: int, session_ids: list[int]
) -> None:
    now = datetime(2026, 11, 25, 9, 0)
    with sessions.begin() as db:
        cohorts.join(db, user_id, cohort_id, now)
        for session_id in session_ids:
            cohorts.share(db, user_id, session_id, cohort_id, now)


def instructor_with_cohort(courses: CourseService, telegram_id: int, name: str, cohort: str) -> int:
    """Grant the role and create a cohort; returns the cohort id."""
    courses.add_instructor(telegram_id, name, granted_by="test")
    return courses.create_cohort(cohort, telegram_id).id


# ---- bulk copies for the benchmark --------------------------------------------------------
SESSIONS_T = cast(Table, CoachingSession.__table__)
ANSWERS_T = cast(Table, Answer.__table__)
LINES_T = cast(Table, TranscriptLine.__table__)
FINDINGS_T = cast(Table, LessonFinding.__table__)


def _rows(db: UnitOfWork, table: Table, session_id: int) -> list[dict[str, Any]]:
    found = db.execute(select(table).where(table.c.session_id == session_id).order_by(table.c.id))
    return [
        {k: v for k, v in row._mapping.items() if k not in ("id", "session_id")} for row in found
    ]


def clone_sessions(
    sessions: Database,
    template_ids: list[int],
    owners: list[int],
    per_owner: int,
    start: datetime,
) -> list[tuple[int, int]]:
    """Copy the template sessions (round robin) `per_owner` times for each owner, each copy a
    completed session with its answers, transcript and findings. Returns (owner, session id)."""
    made: list[tuple[int, int]] = []
    with sessions.begin() as db:
        templates = []
        for sid in template_ids:
            [row] = db.execute(select(SESSIONS_T).where(SESSIONS_T.c.id == sid)).mappings()
            templates.append(
                (
                    {k: v for k, v in row.items() if k not in ("id", "user_id")},
                    _rows(db, ANSWERS_T, sid),
                    _rows(db, LINES_T, sid),
                    _rows(db, FINDINGS_T, sid),
                )
            )
        n = 0
        for owner in owners:
            for _ in range(per_owner):
                base, answers, lines, findings = templates[n % len(templates)]
                when = start + timedelta(minutes=n)
                values = {**base, "user_id": owner, "started_at": when, "updated_at": when}
                values["completed_at"] = when + timedelta(minutes=20)
                inserted = db.execute(insert(SESSIONS_T).values(values).returning(SESSIONS_T.c.id))
                new_id = int(inserted.scalar_one())
                for table, rows in ((ANSWERS_T, answers), (LINES_T, lines), (FINDINGS_T, findings)):
                    if rows:
                        db.execute(insert(table), [{**r, "session_id": new_id} for r in rows])
                made.append((owner, new_id))
                n += 1
    return made
