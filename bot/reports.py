"""The coaching report and the session exports.

The report is rendered from dialogues/templates/ for each format; the JSON export follows the
contract in DESIGN.md (`session`, `lessons`, `transcript`) and is the source for the Markdown and
HTML exports, so all three always agree.
"""

from __future__ import annotations

from typing import Any

from bot.engine.content import Content
from bot.engine.lessons import Finding
from bot.engine.machine import Conversation
from bot.engine.render import Format, split_message
from storage import repository as repo
from storage.records import SessionRecord

REPORT_TEMPLATES: dict[Format, str] = {"text": "report.txt.j2", "html": "report.tg.j2"}


def situation(content: Content, conv: Conversation) -> list[dict[str, str]]:
    """The user's context in their own words: answered free-text questions outside the lessons."""
    prompts = content.prompt_texts(conv)
    on_path = conv.answered_on_path()
    return [
        {"question": prompts.get(q.id, q.id), "answer": conv.shown[q.id]}
        for q in content.script.questions
        if q.kind == "text" and q.lesson is None and q.id in on_path and on_path[q.id] is not None
    ]


def report_payloads(
    content: Content,
    row: SessionRecord,
    conv: Conversation,
    fmt: Format,
    findings: list[Finding] | None = None,
) -> list[dict[str, Any]]:
    """The report as outgoing messages, each within Telegram's 4,096 characters."""
    if findings is None:
        findings = content.findings(conv)
    text = content.renderer.file(
        REPORT_TEMPLATES.get(fmt, "report.txt.j2"),
        fmt,
        title=row.title or "your negotiation",
        situation=situation(content, conv),
        findings=findings,
        quote=content.book.quote,
        session_id=row.id,
    )
    return [{"text": part, "kind": "report", "format": fmt} for part in split_message(text, 4096)]


def _rules_json(finding: Finding) -> list[dict[str, Any]]:
    return [
        {
            "id": rule.id,
            "question": rule.evidence[0].question if rule.evidence else "",
            "prompt": rule.evidence[0].prompt if rule.evidence else "",
            "answer": rule.evidence[0].answer if rule.evidence else "",
            "advice": rule.advice,
            "explain": rule.explain,
            "weight": rule.weight,
            "evidence": [
                {"question": e.question, "prompt": e.prompt, "answer": e.answer}
                for e in rule.evidence
            ],
        }
        for rule in finding.rules
    ]


def lessons_json(findings: list[Finding]) -> list[dict[str, Any]]:
    return [
        {
            "id": f.lesson.id,
            "title": f.lesson.title,
            "assumption": f.lesson.assumption,
            "level": f.level,
            "rules": _rules_json(f),
            "gaps": [
                {"question": g.question, "prompt": g.prompt, "answer": g.answer} for g in f.gaps
            ],
            "advice": f.lesson.advice,
            "action": f.action,
        }
        for f in findings
    ]


def store_findings(db: repo.Db, session_id: int, findings: list[Finding]) -> None:
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
    db: repo.Db, content: Content, row: SessionRecord, user_name: str
) -> dict[str, Any]:
    """The JSON export (DESIGN.md contract)."""
    answers = repo.answers_of(db, row.id)
    state, path, _moved = content.dialogue.resume_state(row.state, list(row.path))
    conv = Conversation(
        state=state,
        values={a.question_id: a.value for a in answers},
        shown={a.question_id: a.shown for a in answers},
        path=path,
    )
    lines = repo.transcript_of(db, row.id)
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
        "situation": situation(content, conv),
        "lessons": lessons_json(content.findings(conv)),
        "quote": {"text": content.book.quote.text, "author": content.book.quote.author},
        "transcript": [
            {"at": _iso(line.at), "from": line.sender, "text": line.text} for line in lines
        ],
    }


def export_document(content: Content, data: dict[str, Any], fmt: str) -> str:
    """Markdown or standalone HTML from the JSON export (user text escaped in both)."""
    template = {"md": "export.md.j2", "html": "export.html.j2"}[fmt]
    render_fmt: Format = "md" if fmt == "md" else "html"
    return content.renderer.file(template, render_fmt, data=data) + "\n"
