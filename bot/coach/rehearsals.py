"""A preparation's rehearsals as the person and reviewers read them: summary and export.

The rehearsal feature (bot/rehearsal/) runs a rehearsal; this module, in the coach core beside
the reports, reads the stored rows back: the summary shown at the end (each moment's best
reply, the best reply overall, one sentence to remember) and the export's `rehearsal` section
(JSON, and through it Markdown, HTML and the review site).
"""

from __future__ import annotations

from typing import Any

from bot.engine.content import Content
from bot.engine.machine import Conversation
from bot.engine.rehearsal import material
from storage import rehearsals as store
from storage.rehearsals import RehearsalRecord, ReplyRecord
from storage.uow import UnitOfWork


def lesson_title(content: Content, lesson_id: str) -> str:
    titles = {lesson.id: lesson.title for lesson in content.book.lessons}
    book = content.rehearsal
    return titles.get(lesson_id) or (book.label(lesson_id) if book else lesson_id)


def _score(reply: ReplyRecord) -> int:
    return len(reply.cues) - 2 * len(reply.traps)


def summarise(
    content: Content, record: RehearsalRecord, replies: list[ReplyRecord]
) -> dict[str, Any]:
    """Per moment its best reply (most cues, fewest traps, earliest), the best reply overall,
    and the `remember` sentence of the moment whose best reply did least well."""
    book = content.rehearsal
    assert book is not None
    moments = []
    best: tuple[int, str] | None = None
    weakest: tuple[int, str] | None = None
    for moment_id in record.moments:
        moment = book.moment(moment_id)
        mine = [r for r in replies if r.moment_id == moment_id]
        if moment is None or (not mine and record.status != "done"):
            continue
        scored = sorted(mine, key=lambda r: (-_score(r), r.attempt))
        top = scored[0] if scored else None
        score = _score(top) if top else -1
        moments.append(
            {
                "id": moment_id,
                "lesson": moment.lesson,
                "scene": lesson_title(content, moment.lesson),
                "replies": len(mine),
                "best": top.text if top else "",
                "cues": ", ".join(book.label(c["cue"]) for c in top.cues) if top else "",
            }
        )
        if top is not None and (best is None or score > best[0]):
            best = (score, top.text)
        if weakest is None or score < weakest[0]:
            weakest = (score, moment.remember)
    return {
        "moments": moments,
        "best": best[1] if best else "",
        "remember": weakest[1] if weakest else "",
    }


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


def rehearsal_json(
    db: UnitOfWork, content: Content, session_id: int, conv: Conversation
) -> list[dict[str, Any]]:
    """The export's `rehearsal` section: every rehearsal of a preparation, oldest first, each
    moment with the other side's line and every reply with its cues, traps and feedback."""
    book = content.rehearsal
    if book is None:
        return []
    said = material(content.context(conv))
    found = []
    for record in store.of_session(db, session_id):
        replies = store.replies_of(db, record.id)
        moments = []
        for moment_id in record.moments:
            moment = book.moment(moment_id)
            scene, line = book.scene(moment, "text", content.renderer, said) if moment else ("", "")
            moments.append(
                {
                    "id": moment_id,
                    "lesson": moment.lesson if moment else "",
                    "lesson_title": lesson_title(content, moment.lesson) if moment else "",
                    "scene": scene,
                    "line": line,
                    "replies": [
                        {
                            "id": r.id,
                            "attempt": r.attempt,
                            "text": r.text,
                            "cues": [{**c, "label": book.label(c["cue"])} for c in r.cues],
                            "traps": [{**t, "label": book.label(t["trap"])} for t in r.traps],
                            "feedback": r.feedback,
                            "at": _iso(r.at),
                        }
                        for r in replies
                        if r.moment_id == moment_id
                    ],
                }
            )
        summary = summarise(content, record, replies)
        found.append(
            {
                "id": record.id,
                "status": record.status,
                "started_at": _iso(record.started_at),
                "completed_at": _iso(record.completed_at),
                "moments": moments,
                "best": summary["best"],
                "remember": summary["remember"],
            }
        )
    return found
