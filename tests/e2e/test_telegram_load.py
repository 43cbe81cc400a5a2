"""Twenty Telegram users coached at once by one bot process: nothing lost, doubled or crossed."""

from __future__ import annotations

import pytest

from tests.e2e.telegram_process import (
    ParleyProcess,
    check_transcripts,
    coachees,
    drive,
)
from tests.fakes import FakeBotApi

USERS = 20


@pytest.mark.timeout(150)
def test_twenty_users_at_once_each_answer_stored_once_in_order_in_their_own_session(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    people = coachees(fake, USERS)
    drive(fake, people, timeout=100, diagnostics=parley.output)

    exports = check_transcripts(parley.database, people)
    for person in people:
        export = exports[person.user_id]
        levels = {lesson["id"]: lesson["level"] for lesson in export["lessons"]}
        assert levels == person.persona.expect, (person.user_id, person.persona.name)
        # Each chat got exactly one copy of each question, in order, and one report.
        numbers = [
            int(m.shown.split(" ", 2)[1])
            for m in person.user.messages()
            if m.shown.startswith("Question ")
        ]
        assert numbers == [1, *[p for p in person.persona.positions if p is not None]]
        reports = [m for m in person.user.messages() if "Your report" in m.shown]
        assert len(reports) == 1, person.describe()
    assert sum(p.presses for p in people) > 100, "both ways of answering were exercised"
    assert parley.errors() == []
