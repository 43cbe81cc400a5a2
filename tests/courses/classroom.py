"""A small school for the instructor tests, built through the bot like real people would.

Admin 1 grants two instructors (Rivera 100 teaches "Spring", Okafor 101 teaches "Autumn").
Student Ana (200) joins Spring, student Ben (201) joins Autumn, each through the invite link
and the Agree button; each then completes a negotiation (from a test persona), which is
shared with their cohort because they started it while in it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from bot.coach.messages import Outbound
from bot.coach.service import CoachService
from bot.courses.access import Viewer
from bot.courses.service import CourseService
from bot.courses.types import CourseSettings
from bot.engine.content import Content
from bot.wiring import coach_service
from storage.uow import Database
from tests import persona as persona_file
from tests.conftest import Chat

ADMIN, RIVERA, OKAFOR, ANA, BEN = 1, 100, 101, 200, 201
ADMINS = frozenset({ADMIN})


class TelegramChat(Chat):
    """A Telegram user talking to the coach service, with the name Telegram gives."""

    def __init__(self, service: CoachService, telegram_id: int, name: str) -> None:
        super().__init__(service, user=str(telegram_id), channel="telegram", name=name)

    def documents(self) -> list[Outbound]:
        return [m for m in self.last if m.attachment is not None]


def tg(service: CoachService, telegram_id: int, name: str) -> TelegramChat:
    return TelegramChat(service, telegram_id, name)


def invite_code(text: str) -> str:
    found = re.search(r"start=join-([A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


class Classroom:
    """Two cohorts, two instructors, two students, and the admin; see the module docstring."""

    def __init__(
        self,
        sessions: Database,
        content: Content,
        clock: Callable[[], datetime],
        complete: str | None = "lease_single_issue",
    ) -> None:
        courses = CourseSettings(admin_ids=ADMINS, bot_username="parley_test_bot")
        self.coach = coach_service(sessions, content, clock=clock, courses=courses)
        self.courses = CourseService(sessions, content, ADMINS, clock=clock)
        self.admin = tg(self.coach, ADMIN, "Admin")
        self.rivera = tg(self.coach, RIVERA, "Rivera")
        self.okafor = tg(self.coach, OKAFOR, "Okafor")
        self.ana = tg(self.coach, ANA, "Ana")
        self.ben = tg(self.coach, BEN, "Ben")
        self.admin.says(f"/grant {RIVERA} Dr Rivera")
        self.admin.says(f"/grant {OKAFOR} Prof Okafor")
        self.rivera.says("/cohort new Spring")
        self.spring_code = invite_code(self.rivera.text())
        self.okafor.says("/cohort new Autumn")
        self.autumn_code = invite_code(self.okafor.text())
        self.join(self.ana, self.spring_code)
        self.join(self.ben, self.autumn_code)
        if complete:
            self.complete(self.ana, complete)
            self.complete(self.ben, complete)

    def close(self) -> None:
        self.coach.close()

    @staticmethod
    def join(student: Chat, code: str) -> None:
        student.says(f"/start join-{code}")
        student.presses("I agree, join")

    @staticmethod
    def complete(student: Chat, persona: str) -> None:
        """Answer a whole persona in the session that is open (or a new one)."""
        if not any(m.kind == "question" for m in student.last):
            student.says("/new")
        for answer in persona_file.answers(persona, student.service.clock().date()):
            student.says(answer)
        assert "Your report" in student.text(), student.text()[-500:]

    def viewer(self, telegram_id: int) -> Viewer:
        found = self.courses.viewer_for_telegram(telegram_id)
        assert found is not None
        return found

    def cohort_id(self, teacher: int) -> int:
        [cohort] = self.courses.cohorts_for(self.viewer(teacher))
        return cohort.id

    def session_of(self, telegram_id: int) -> int:
        """The student's latest session id."""
        return self.coach.list_sessions("telegram", str(telegram_id))[-1].id

    def user_id(self, telegram_id: int) -> int:
        return self.viewer(telegram_id).user_id
