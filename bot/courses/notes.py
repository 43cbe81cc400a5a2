"""An instructor's own notes after they are written (issue 14, item 4): changed or deleted by
their author only, published to the student or kept as a draft.

A note is written by `bot.courses.review.annotate`; drafts are published when their author sends
feedback (`bot.courses.review.send_feedback`). Another instructor's note is refused exactly like
a missing one.
"""

from __future__ import annotations

from datetime import datetime

from bot.courses import access
from bot.courses.access import Viewer
from bot.courses.review import MAX_COMMENT, clean_text
from bot.engine.content import Content
from storage.courses import notes as notes_store
from storage.uow import UnitOfWork


def edit_note(
    db: UnitOfWork,
    content: Content,
    viewer: Viewer,
    session_id: int,
    note_id: int,
    lesson_id: str,
    comment: str,
    draft: bool,
    now: datetime,
) -> bool:
    """Change one's own note (its lesson, text, and whether the student sees it yet)."""
    text = clean_text(comment, MAX_COMMENT)
    if text is None or lesson_id not in {lesson.id for lesson in content.book.lessons}:
        return False
    if not access.may_review_session(db, viewer, session_id):
        return False
    return notes_store.edit_annotation(
        db, session_id, note_id, viewer.user_id, lesson_id, text, draft, now
    )


def delete_note(db: UnitOfWork, viewer: Viewer, session_id: int, note_id: int) -> bool:
    """Delete one's own note; another instructor's is refused like a missing one."""
    if not access.may_review_session(db, viewer, session_id):
        return False
    return notes_store.delete_annotation(db, session_id, note_id, viewer.user_id)
