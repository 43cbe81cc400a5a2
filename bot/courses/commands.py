"""Cohort membership on Telegram: invitations with consent, sharing, leaving, /privacy, and the
admin's and instructor's set-up commands (/grant, /cohort).

A student joins only by pressing Agree on the invitation they opened (the invite code is the
secret; the button is accepted only while that invitation is pending). Sessions they start
while in a cohort are shared with it; earlier ones only when they press Share.
"""

from __future__ import annotations

from bot.coach import callbacks, sessions
from bot.coach.callbacks import Callback
from bot.coach.ids import is_row_id, parse_number
from bot.coach.router import Router
from bot.coach.turn import Turn
from bot.courses import cohorts, digest
from bot.courses.replies import say_long, viewer
from bot.engine.lessons import Finding
from storage import repository as repo
from storage.courses import cohorts as store
from storage.courses import digests as digest_store

OFFER_AT_MOST = 8
JOIN_PENDING = "join:"


router: Router[Turn] = Router("courses")


# ---- hooks and core overrides -------------------------------------------------------------


@router.on_session_opened
def share_new_session(turn: Turn) -> None:
    """A session started while in a cohort is shared with it (the student agreed to that).
    A debrief quotes its preparation (title, target, ratings): it is shared only with cohorts
    that preparation is shared with; for the others the student is asked, with a button."""
    assert turn.row is not None
    asked = cohorts.share_new_session(turn.db, turn.user.id, turn.row.id, turn.now)
    if not asked:
        return
    buttons = [
        [(c.name[:40], callbacks.make("cs", turn.row.id, c.id))]
        for c in cohorts.cohort_infos(turn.db, asked)
    ]
    turn.send(turn.content.say("course_debrief_share_offer", turn.fmt), buttons=buttons)


@router.on_session_completed
def tell_instructors(turn: Turn, _findings: list[Finding]) -> None:
    """A shared session (or a debrief of a shared preparation) just completed: news for the
    instructors of its cohorts, in their next digest (bot.courses.digest)."""
    assert turn.row is not None
    digest.note(turn.db, turn.row.id, turn.now)


@router.privacy_section
def privacy(turn: Turn) -> None:
    """/privacy also lists the student's cohorts, what they share and who read it."""
    memberships = cohorts.memberships(turn.db, turn.user.id)
    log = cohorts.access_log_for(turn.db, turn.user.id, limit=20)
    untitled = turn.content.say("untitled", "text")
    if memberships or log:
        view = [
            {
                "name": m.cohort_name,
                "left": m.left_at is not None,
                "instructors": m.instructors,
                "shared": [f"#{sid} {title or untitled}" for sid, title in m.shared],
            }
            for m in memberships
        ]
        say_long(turn, "course_privacy", memberships=view, log=log)


@router.help_section
def help_(turn: Turn) -> None:
    """/help also lists the course commands this person may use."""
    person = viewer(turn)
    if person.is_instructor or person.is_admin:
        turn.info("course_help", admin=person.is_admin)
    if store.current_cohorts(turn.db, turn.user.id):
        turn.info("course_student_help")


# ---- joining ------------------------------------------------------------------------------


@router.start_link("join-")
def invitation(turn: Turn, code: str) -> None:
    """`/start join-<code>`: show the cohort and its readers, and ask for consent."""
    cohort = cohorts.cohort_by_code(turn.db, code.strip())
    if cohort is None:
        turn.info("course_join_unknown")
        return
    if store.is_member(turn.db, cohort.id, turn.user.id):
        turn.info("course_join_already", cohort=cohort.name)
        return
    if cohort.closed:
        turn.info("course_join_closed", cohort=cohort.name)
        return
    turn.user.pending_action = f"{JOIN_PENDING}{cohort.id}"
    buttons = [
        [(turn.content.say("course_agree", turn.fmt), callbacks.make("cj", cohort.id, 1))],
        [(turn.content.say("course_decline", turn.fmt), callbacks.make("cj", cohort.id, 0))],
    ]
    turn.send(
        turn.content.say(
            "course_join_consent", turn.fmt, cohort=cohort.name, instructors=cohort.instructors
        ),
        buttons=buttons,
    )


@router.button("cj", arity=2)
def join_pressed(turn: Turn, pressed: Callback) -> None:
    cohort_id, agree = int(pressed.args[0]), int(pressed.args[1])
    if turn.user.pending_action != f"{JOIN_PENDING}{cohort_id}":
        # Not the invitation this user opened (or already answered): a forged or old button
        # must never join anyone, and must not reveal whether the cohort exists.
        turn.pressed = "stale"
        turn.info("course_join_stale")
        return
    turn.user.pending_action = None
    turn.pressed = "accepted"
    if not agree:
        turn.info("course_declined")
        return
    found = cohorts.cohort_infos(turn.db, [cohort_id])
    if not found:
        turn.info("course_join_unknown")
        return
    cohort = found[0]
    if cohort.closed:  # closed while the invitation waited for an answer
        turn.info("course_join_closed", cohort=cohort.name)
        return
    cohorts.join(turn.db, turn.user.id, cohort_id, turn.now)
    turn.info("course_joined", cohort=cohort.name, instructors=cohort.instructors)
    earlier = cohorts.unshared_sessions(turn.db, turn.user.id, cohort_id)
    if not earlier:
        sessions.start(turn, "")  # a new student starts preparing straight away (shared)
        return
    untitled = turn.content.say("untitled", "text")
    buttons = [
        [(f"#{sid} {title or untitled}"[:40], callbacks.make("cs", sid, cohort_id))]
        for sid, title in earlier[-OFFER_AT_MOST:]
    ]
    turn.send(turn.content.say("course_share_offer", turn.fmt, cohort=cohort.name), buttons=buttons)


# ---- sharing ------------------------------------------------------------------------------


@router.command("/share")
def share_command(turn: Turn, args: str) -> None:
    session_id = parse_number(args)
    if session_id is None:
        turn.info("course_share_usage")
        return
    row = repo.get_session(turn.db, session_id) if is_row_id(session_id) else None
    mine = [c for c in cohorts.current_cohorts(turn.db, turn.user.id) if not c.closed]
    if row is None or row.user_id != turn.user.id or not mine:
        turn.info("course_share_unknown")
        return
    if len(mine) == 1:
        _share(turn, session_id, mine[0].id)
        return
    buttons = [[(c.name[:40], callbacks.make("cs", session_id, c.id))] for c in mine]
    title = row.title or f"#{row.id}"
    turn.send(turn.content.say("course_share_which", turn.fmt, title=title), buttons=buttons)


@router.button("cs", arity=2)
def share_pressed(turn: Turn, pressed: Callback) -> None:
    session_id, cohort_id = int(pressed.args[0]), int(pressed.args[1])
    turn.pressed = "accepted" if _share(turn, session_id, cohort_id) else "refused"


def _share(turn: Turn, session_id: int, cohort_id: int) -> bool:
    if not cohorts.share(turn.db, turn.user.id, session_id, cohort_id, turn.now):
        turn.info("course_share_unknown")
        return False
    row = repo.get_session(turn.db, session_id)
    [cohort] = cohorts.cohort_infos(turn.db, [cohort_id])
    title = (row.title if row else "") or f"#{session_id}"
    turn.info("course_shared", title=title, cohort=cohort.name)
    if row is not None and row.status == "completed":  # unfinished: news when completed
        digest.note(turn.db, session_id, turn.now)
    return True


# ---- leaving ------------------------------------------------------------------------------


@router.command("/leave")
def leave_command(turn: Turn, _args: str) -> None:
    mine = cohorts.current_cohorts(turn.db, turn.user.id)
    if not mine:
        turn.info("course_not_member")
        return
    shared = store.shared_sessions_of(turn.db, turn.user.id)
    for cohort in mine:
        count = sum(1 for cid, _s, _t in shared if cid == cohort.id)
        options = (
            [("course_leave_keep", 0), ("course_leave_withdraw", 1)]
            if count
            else [("course_leave_now", 0)]
        )
        buttons = [
            [(turn.content.say(key, turn.fmt), callbacks.make("cl", cohort.id, withdraw))]
            for key, withdraw in options
        ]
        text = turn.content.say("course_leave_confirm", turn.fmt, cohort=cohort.name, count=count)
        turn.send(text, buttons=buttons)


@router.button("cl", arity=2)
def leave_pressed(turn: Turn, pressed: Callback) -> None:
    cohort_id, withdraw = int(pressed.args[0]), bool(pressed.args[1])
    if not is_row_id(cohort_id) or not store.is_member(turn.db, cohort_id, turn.user.id):
        turn.pressed = "stale"
        turn.info("course_not_member")
        return
    turn.pressed = "accepted"
    [cohort] = cohorts.cohort_infos(turn.db, [cohort_id])
    count = sum(
        1 for c, _s, _t in store.shared_sessions_of(turn.db, turn.user.id) if c == cohort_id
    )
    cohorts.leave(turn.db, turn.user.id, cohort_id, withdraw, turn.now)
    turn.info("course_left", cohort=cohort.name, withdrawn=withdraw and count, count=count)


# ---- instructors hear about new work ------------------------------------------------------


@router.command("/notify")
def notify_command(turn: Turn, args: str) -> None:
    """`/notify off` stops the digests of new work, `/notify on` starts them again; alone it
    says which it is."""
    if not viewer(turn).is_instructor:
        turn.info("course_instructors_only")
        return
    word = args.strip().lower()
    if word in ("on", "off"):
        digest_store.set_enabled(turn.db, turn.user.id, word == "on", turn.now)
    elif word:
        turn.info("course_notify_usage")
        return
    turn.info("course_notify_state", on=digest_store.enabled(turn.db, turn.user.id))
