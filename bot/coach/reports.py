"""The coaching report and the session exports.

The report is rendered from dialogues/templates/ for each format; the JSON export follows the
contract in DESIGN.md (`session`, `lessons`, `transcript`) and is the source for the Markdown and
HTML exports, so all three always agree. On Telegram the report comes with a chart of the five
lessons (bot/charts.py), sent as a photo before the text. A debrief's report is its summary, and
the export of a preparation carries its debrief (`debrief`: null or the section).
"""

from __future__ import annotations

import logging
from typing import Any

from bot.coach.attachments import file_payload
from bot.coach.charts import Chart, findings_chart
from bot.coach.rehearsals import rehearsal_json
from bot.engine import debrief
from bot.engine.content import Content
from bot.engine.lessons import Finding
from bot.engine.machine import Conversation
from bot.engine.render import Format, split_message
from storage import debriefs as debrief_store
from storage import repository as repo
from storage.records import SessionRecord
from storage.uow import UnitOfWork

REPORT_TEMPLATES: dict[Format, str] = {"text": "report.txt.j2", "html": "report.tg.j2"}
DEBRIEF_TEMPLATES: dict[Format, str] = {"text": "debrief.txt.j2", "html": "debrief.tg.j2"}
CHART_FILE = "parley-lessons.png"
REPORT_LINE = "#report"
"""The `question_id` of the transcript lines that carry a report: the review site shows the
report once, in its own section, instead of repeating it as a transcript bubble."""
log = logging.getLogger(__name__)


def situation(content: Content, conv: Conversation) -> list[dict[str, str]]:
    """The user's context in their own words: answered free-text questions outside the lessons."""
    prompts = content.prompt_texts(conv)
    on_path = conv.answered_on_path()
    return [
        {"question": prompts.get(q.id, q.id), "answer": conv.shown[q.id]}
        for q in content.script.questions
        if q.kind == "text" and q.lesson is None and q.id in on_path and on_path[q.id] is not None
    ]


def answers_json(content: Content, conv: Conversation) -> list[dict[str, Any]]:
    """Every answer on the person's path: the stored value, what the report shows and the
    person's own words (what they typed, also when it was read as an option; "" for a
    button)."""
    on_path = conv.answered_on_path()
    return [
        {
            "question": q.id,
            "value": on_path[q.id],
            "shown": conv.shown.get(q.id, ""),
            "words": conv.words.get(q.id, ""),
        }
        for q in content.script.questions
        if q.id in on_path
    ]


def report_payloads(
    content: Content,
    row: SessionRecord,
    conv: Conversation,
    fmt: Format,
    findings: list[Finding] | None = None,
) -> list[dict[str, Any]]:
    """The report as outgoing messages, each within Telegram's 4,096 characters; on Telegram
    (`html`) the lesson chart comes first, a photo whose caption counts the levels. The console
    (`text`) gets no picture: its report already lists every level in words."""
    if content.script.follows is not None:
        return debrief_payloads(content, row, conv, fmt)
    if findings is None:
        findings = content.findings(conv)
    text = content.renderer.file(
        REPORT_TEMPLATES.get(fmt, "report.txt.j2"),
        fmt,
        title=row.title or content.say("untitled_negotiation", "text"),
        situation=situation(content, conv),
        findings=findings,
        quote=content.book.quote,
        session_id=row.id,
    )
    parts = [{"text": part, "kind": "report", "format": fmt} for part in split_message(text, 4096)]
    if fmt != "html" or not content.script.rules:  # a script that judges nothing has no chart
        return parts
    try:
        chart = findings_chart(content, findings, fmt)
    except Exception:  # a picture that cannot be drawn must never hold back the report
        log.exception("lesson chart not drawn; the report goes without it")
        return parts
    photo = file_payload("photo", CHART_FILE, chart.png, chart.caption, fmt, alt=chart.alt)
    return [photo, *parts]


def conversation_of(db: UnitOfWork, content: Content, row: SessionRecord) -> Conversation:
    """A stored session's conversation, rebuilt from its answers (for exports and the chart)
    on its own script, with the context a debrief was started with."""
    content = content.for_script(row.script_id)
    answers = repo.answers_of(db, row.id)
    state, path, _moved = content.dialogue.resume_state(row.state, list(row.path))
    context = {k: pair for k, pair in row.answer_map.items() if debrief.is_context_key(k)}
    return Conversation(
        state=state,
        values={a.question_id: a.value for a in answers} | {k: p[0] for k, p in context.items()},
        shown={a.question_id: a.shown for a in answers} | {k: p[1] for k, p in context.items()},
        path=path,
        words={a.question_id: a.words for a in answers if a.words},
    )


def _debrief_record(content: Content, conv: Conversation) -> dict[str, Any]:
    lessons = [(lesson.id, lesson.title) for lesson in content.book.lessons]
    return debrief.record(content.script, lessons, conv, content.prompt_texts(conv))


def debrief_payloads(
    content: Content, row: SessionRecord, conv: Conversation, fmt: Format
) -> list[dict[str, Any]]:
    """A debrief's report: its summary in the user's words (dialogues/templates/debrief.*)."""
    text = content.renderer.file(
        DEBRIEF_TEMPLATES.get(fmt, "debrief.txt.j2"),
        fmt,
        title=conv.shown.get(f"{debrief.ROOT}.title")
        or row.title
        or content.say("untitled_negotiation", "text"),
        record=_debrief_record(content, conv),
        quote=content.book.quote,
    )
    return [{"text": part, "kind": "report", "format": fmt} for part in split_message(text, 4096)]


def debrief_json(db: UnitOfWork, content: Content, row: SessionRecord) -> dict[str, Any]:
    """The `debrief` section of an export: the debrief session's record (see
    bot.engine.debrief.record) with its id, status and times."""
    section: dict[str, Any] = {
        "session_id": row.id,
        "status": row.status,
        "started_at": _iso(row.started_at),
        "completed_at": _iso(row.completed_at),
    }
    if not content.has_script(row.script_id):  # its script was removed: the link stays
        return section
    content = content.for_script(row.script_id)
    return section | _debrief_record(content, conversation_of(db, content, row))


def lesson_chart_for_session(
    db: UnitOfWork, content: Content, row: SessionRecord, fmt: Format = "html"
) -> Chart:
    """The lesson chart of a stored session (the review site shows it on the session page):
    `.png` the image, `.alt` its text alternative, `.rows` the levels it draws."""
    return findings_chart(content, content.findings(conversation_of(db, content, row)), fmt)


def _rules_json(finding: Finding) -> list[dict[str, Any]]:
    """Each fired rule with its evidence; `question`, `prompt`, `answer` and `said` are the
    answer the report quotes (the first evidence when the rule quotes none)."""
    rules = []
    for rule in finding.rules:
        shown = rule.quote or (rule.evidence[0] if rule.evidence else None)
        rules.append(
            {
                "id": rule.id,
                "question": shown.question if shown else "",
                "prompt": shown.prompt if shown else "",
                "answer": shown.answer if shown else "",
                "said": rule.quote.said if rule.quote else "",
                "advice": rule.advice,
                "explain": rule.explain,
                "weight": rule.weight,
                "evidence": [
                    {"question": e.question, "prompt": e.prompt, "answer": e.answer}
                    for e in rule.evidence
                ],
            }
        )
    return rules


def lessons_json(findings: list[Finding]) -> list[dict[str, Any]]:
    return [
        {
            "id": f.lesson.id,
            "title": f.lesson.title,
            "assumption": f.assumption,
            "level": f.level,
            "applies": f.applies,
            "note": "" if f.applies else f.lesson.not_applicable,
            "rules": _rules_json(f),
            "gaps": [
                {"question": g.question, "prompt": g.prompt, "answer": g.answer} for g in f.gaps
            ],
            "strength": (
                {
                    "id": f.strength.id,
                    "question": f.strength.quote.question,
                    "answer": f.strength.quote.answer,
                    "said": f.strength.quote.said,
                    "says": f.strength.says,
                }
                if f.strength
                else None
            ),
            "advice": f.advice,
            "action": f.action,
        }
        for f in findings
    ]


def store_findings(db: UnitOfWork, session_id: int, findings: list[Finding]) -> None:
    """Keep the verdicts with their evidence, so reviewers see exactly what the user saw."""
    repo.replace_findings(
        db,
        session_id,
        [
            {"lesson_id": f.lesson.id, "level": f.level, "evidence": _rules_json(f)}
            for f in findings
        ],
    )


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


def export_json(
    db: UnitOfWork, content: Content, row: SessionRecord, user_name: str
) -> dict[str, Any]:
    """The JSON export (DESIGN.md contract), plus `debrief`: for a preparation its debrief
    (null if none), for a debrief its own record and `prepared_session_id`."""
    content = content.for_script(row.script_id)
    conv = conversation_of(db, content, row)
    lines = repo.transcript_of(db, row.id)
    follow_up = content.script.follows is not None
    debrief_row = row if follow_up else _debrief_row(db, row.id)
    extra: dict[str, Any] = {
        "debrief": debrief_json(db, content, debrief_row) if debrief_row is not None else None
    }
    if follow_up:
        extra["prepared_session_id"] = debrief_store.prepared_of(db, row.id)
    extra["rehearsal"] = [] if follow_up else rehearsal_json(db, content, row.id, conv)
    return {
        "session": {
            "id": row.id,
            "user": user_name,
            "title": row.title,
            "script": row.script_id,
            "script_version": row.script_version,
            "state": row.state,
            "status": row.status,
            "started_at": _iso(row.started_at),
            "updated_at": _iso(row.updated_at),
        },
        "situation": situation(content, conv) if not follow_up else [],
        "lessons": lessons_json(content.findings(conv)),
        "answers": answers_json(content, conv),
        "quote": {"text": content.book.quote.text, "author": content.book.quote.author},
        # A line that carried the report is marked (`report: true`): the documents show the
        # report once, in its own sections, not again in the transcript.
        "transcript": [
            {"at": _iso(line.at), "from": line.sender, "text": line.text}
            | ({"report": True} if line.question_id == REPORT_LINE else {})
            for line in lines
        ],
        **extra,
    }


def _debrief_row(db: UnitOfWork, prepared_id: int) -> SessionRecord | None:
    debrief_id = debrief_store.debrief_of(db, prepared_id)
    return repo.get_session(db, debrief_id) if debrief_id is not None else None


def export_document(content: Content, data: dict[str, Any], fmt: str) -> str:
    """Markdown or standalone HTML from the JSON export (user text escaped in both)."""
    template = {"md": "export.md.j2", "html": "export.html.j2"}[fmt]
    render_fmt: Format = "md" if fmt == "md" else "html"
    return content.renderer.file(template, render_fmt, data=data) + "\n"
