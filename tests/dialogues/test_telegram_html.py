"""Everything Parley can say renders as Telegram HTML that Telegram would accept."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.engine.content import Content
from bot.engine.render import split_message
from bot.reports import report_payloads
from storage.records import SessionRecord
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
}
PERSONAS = sorted((Path(__file__).resolve().parents[1] / "personas").glob("*.yaml"))


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
    answers = yaml.safe_load(persona.read_text(encoding="utf-8"))["answers"]
    conv = content.dialogue.start()
    for text in answers:
        assert content.dialogue.answer(conv, str(text), date(2026, 11, 25)).accepted
    row = SessionRecord(1, 1, "coach", 1, HOSTILE, "done", [], "completed", 1, None, None)  # type: ignore[arg-type]
    parts = report_payloads(content, row, conv, "html")
    for part in parts:
        visible = parse_html(part["text"])
        assert len(visible) <= 4096
    assert split_message("\n\n".join(p["text"] for p in parts)) == [p["text"] for p in parts]
