"""Everything Parley can say renders as Telegram HTML that Telegram would accept."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from bot.coach.reports import report_payloads
from bot.engine.content import Content
from bot.engine.render import split_message
from storage.records import SessionRecord
from tests import persona as persona_file
from tests.fakes.rules import parse_html

HOSTILE = "<b>{{ 7*7 }}</b> & <script>alert(1)</script> “quotes” 💼 עלייה"
CONTEXT = {
    "name": HOSTILE,
    "title": HOSTILE,
    "position": 3,
    "total": 30,
    "sessions": [{"id": 1, "title": HOSTILE, "status": "active", "current": True}],
    "ident": HOSTILE,
    "media": "a sticker",
    "hint": "Please answer with a number from 1 to 2, or the option's name.",
    "command": "/<x>",
    "answer": HOSTILE,
    "count": 2,
    "latest": HOSTILE,
    "groups": {"recurring": [HOSTILE], "overcome": ["Power is not size"], "clear": [HOSTILE]},
    "counts": [{"count": 2, "word": HOSTILE}, {"count": 3, "word": "clear"}],
    "rows": [{"title": HOSTILE, "level": "gap", "word": HOSTILE}],
    "debriefs": 1,
    "flagged": 2,
    "done": True,
    # reminders
    "items": [{"kind": "checklist", "when": "Wed 2 Dec, 09:00", "title": HOSTILE}],
    "zone": "Europe/Berlin",
    "zone_set": False,
    "console": True,
    "reason": HOSTILE,
    "day": "Thu 3 Dec",
    "when": "Thu 3 Dec, 09:00",
    "kind": "debrief",
    "given": HOSTILE,
    "moved": 2,
    "walkaway": HOSTILE,
    "opening": HOSTILE,
    "risk_title": "Power is not size",
    "risk_level": "risk",
    "action": HOSTILE,
    "complete": False,
    "missing": ["risk"],
    "session_id": 7,
    # instructors and cohorts
    "cohort": HOSTILE,
    "instructors": [HOSTILE, "Dr Rivera"],
    "memberships": [
        {"name": HOSTILE, "left": True, "instructors": [HOSTILE], "shared": [HOSTILE]},
        {"name": "Spring", "left": False, "instructors": [], "shared": []},
    ],
    "log": [
        {
            "at": datetime(2026, 11, 25, 9),
            "viewer_name": HOSTILE,
            "session_id": sid,
            "session_title": HOSTILE,
            "via": via,
        }
        for sid, via in ((7, "web"), (None, HOSTILE))
    ],
    "telegram_id": 4242,
    "created": True,
    "link": "https://t.me/parley_test_bot?start=join-abc_DEF-123",
    "cohorts": [
        {
            "name": HOSTILE,
            "student_count": 1,
            "link": "https://t.me/x?start=join-a",
            "id": 3,
            "closed": False,
            # an instructor's digest
            "sessions": [{"student": HOSTILE, "title": HOSTILE, "session_id": 7}],
            "debriefs": [{"student": HOSTILE, "title": HOSTILE, "session_id": 8}],
        },
        {
            "name": HOSTILE,
            "student_count": 2,
            "link": "",
            "id": 4,
            "closed": True,
            "sessions": [],
            "debriefs": [],
        },
    ],
    # revoking, co-instructors, closing, two-step feedback
    "orphaned": [{"id": 3, "name": HOSTILE}],
    "added": True,
    "told": 1,
    "closed": True,
    "by": HOSTILE,
    "member": True,
    "waiting": True,
    "more": True,
    "shown": 30,
    "student": HOSTILE,
    "status": "active",
    "lessons": [
        {
            "title": HOSTILE,
            "level": "risk",
            "rules": [{"id": "power.x", "answer": HOSTILE, "prompt": HOSTILE}],
            "gaps": [{"prompt": HOSTILE}],
        }
    ],
    "feedback": 2,
    "limit": 2000,
    "length": 2500,
    "url": "https://review.example/login?token=a.b",
    "admin": True,
    "withdrawn": False,
    "on": True,  # /notify's digest setting
    "instructor": HOSTILE,
    "text": HOSTILE,
    # the engine's re-asks and the console
    "number": 9,
    "unknown": "I don't know",
    "unknown_number": 6,
    "minimum": 3,
    "max_length": 2000,
    "user": HOSTILE,
}
PERSONAS = persona_file.paths()


def test_every_phrase_is_valid_telegram_html(content: Content) -> None:
    for key in content.phrases:
        rendered = content.say(key, "html", **CONTEXT)
        parse_html(rendered)  # raises like Telegram's "can't parse entities"
        assert "<script>" not in rendered, key


def test_every_prompt_is_valid_telegram_html_with_hostile_answers(content: Content) -> None:
    conv = content.dialogue.start()
    conv.shown = {q.id: HOSTILE for q in content.script.questions}
    for question in content.script.questions:
        parse_html(content.prompt(question.id, "html", conv).text)


@pytest.mark.parametrize("persona", PERSONAS, ids=[p.stem for p in PERSONAS])
def test_reports_are_valid_telegram_html_in_parts_under_the_limit(
    content: Content, persona: Path
) -> None:
    today = date(2026, 11, 25)
    conv = persona_file.play(content, persona_file.answers(persona, today), today)
    row = SessionRecord(1, 1, "coach", 1, HOSTILE, "done", [], "completed", 1, None, None)  # type: ignore[arg-type]
    photo, *parts = report_payloads(content, row, conv, "html")
    assert photo["file"]["media"] == "photo"
    assert len(parse_html(photo["text"])) <= 1024  # Telegram's caption limit
    for part in parts:
        visible = parse_html(part["text"])
        assert len(visible) <= 4096
    assert split_message("\n\n".join(p["text"] for p in parts)) == [p["text"] for p in parts]


def test_a_line_longer_than_the_limit_is_cut_in_its_visible_text_never_in_a_tag() -> None:
    line = "<b>Bold &amp; brave</b> " * 200  # one line, ~3,800 visible characters
    parts = split_message(line, 1024)
    assert len(parts) > 1
    for part in parts:
        visible = parse_html(part)  # Telegram's parser refuses a cut tag or entity
        assert len(visible) <= 1024
    assert "".join(parse_html(p) for p in parts) == parse_html(line)
