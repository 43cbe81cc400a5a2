"""Instructors' verdicts on a rehearsal's feedback (issue 15): an instructor who may review the
preparation agrees or disagrees, with a short reason, with the feedback the rules gave one reply;
the student reads them with the instructor's name on their own page, as lesson verdicts.

Like `bot.courses.review`, every write asks `bot.courses.access` first and answers False when the
viewer may not, without saying whether the reply exists.
"""

from __future__ import annotations

from datetime import datetime

from bot.courses import access
from bot.courses.access import Viewer
from bot.courses.review import MAX_REASON, clean_text
from bot.courses.types import ReplyVerdictInfo
from storage.courses import cohorts as store
from storage.courses import rehearsal_verdicts as verdict_store
from storage.uow import UnitOfWork


def reply_verdicts(
    db: UnitOfWork, viewer: Viewer, session_id: int
) -> tuple[dict[int, list[ReplyVerdictInfo]], dict[int, bool]]:
    """Every verdict on the preparation's rehearsal replies by reply id, and the viewer's own."""
    found: dict[int, list[ReplyVerdictInfo]] = {}
    mine: dict[int, bool] = {}
    for reply_id, agree, why, uid, dn, iname in verdict_store.verdicts_of(db, session_id):
        who = store.person_name(dn, iname, uid)
        found.setdefault(int(reply_id), []).append(ReplyVerdictInfo(who, bool(agree), why or ""))
        if uid == viewer.user_id:
            mine[int(reply_id)] = bool(agree)
    return found, mine


def set_reply_verdict(
    db: UnitOfWork,
    viewer: Viewer,
    session_id: int,
    reply_id: int,
    agree: bool,
    reason: str,
    now: datetime,
) -> bool:
    """Agree, or disagree with a reason, with one reply's feedback. False (the site's 404) when
    the reply is not one of this session's or the viewer may not review the session."""
    why = None if agree else clean_text(reason, MAX_REASON)
    if not agree and why is None:
        return False
    if verdict_store.reply_session(db, reply_id) != session_id:
        return False
    if not access.may_review_session(db, viewer, session_id):
        return False
    verdict_store.set_verdict(db, reply_id, viewer.user_id, agree, now, why)
    return True
