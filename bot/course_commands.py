"""Cohort membership on Telegram: invitations with consent, sharing, leaving, /privacy, and the
admin's and instructor's set-up commands (/grant, /cohort).

A student joins only by pressing Agree on the invitation they opened (the invite code is the
secret; the button is accepted only while that invitation is pending). Sessions they start
while in a cohort are shared with it; earlier ones only when they press Share.
"""

from __future__ import annotations

from typing import Any, ClassVar

from bot import access, callbacks, cohorts
from bot.access import Viewer
from bot.callbacks import Callback
from bot.course_types import CourseSettings, InvalidInputError
from bot.engine.render import split_message
from bot.session_commands import SessionCommands
from storage import courses as store
from storage import repository as repo

OFFER_AT_MOST = 8
JOIN_PENDING = "join:"


def parse_id(text: str) -> int | None:
    """A session or user id typed by a person (`12` or `#12`); None for anything else."""
    ident = text.strip().lstrip("#")
    return int(ident) if ident.isascii() and ident.isdigit() and len(ident) < 16 else None


class CourseCommands(SessionCommands):
    """Invitations, sharing and the instructor's set-up commands. A subclass of
    SessionCommands because it extends /start, /privacy and /help (calling theirs first)."""

    COMMANDS: ClassVar[dict[str, str]] = {
        "/share": "_share_command",
        "/leave": "_leave_command",
        "/grant": "_grant",
        "/cohort": "_cohort",
    }
    PRIVATE_COMMANDS: ClassVar[frozenset[str]] = frozenset({"/grant", "/cohort"})
    BUTTONS: ClassVar[dict[str, str]] = {
        "cj": "_join_pressed",
        "cs": "_share_pressed",
        "cl": "_leave_pressed",
    }
    courses: CourseSettings = CourseSettings()
    """Set by the coach service on every turn (admin ids, bot username, review site)."""

    # ---- helpers ------------------------------------------------------------------------------
    def _viewer(self) -> Viewer:
        found = access.viewer_of(self.db, self.user.id, self.courses.admin_ids)
        assert found is not None  # the turn's own user exists
        return found

    def _private(
        self, key: str, buttons: list[list[tuple[str, str]]] | None = None, **ctx: Any
    ) -> None:
        """Say something without copying it into the speaker's own transcript: what an
        instructor sees of their students (and sign-in links) stays out of their sessions."""
        for part in split_message(self.content.say(key, self.fmt, **ctx), 4096):
            payload: dict[str, Any] = {"text": part, "kind": "info", "format": self.fmt}
            self.outgoing.append(payload)
        if buttons:
            self.outgoing[-1]["buttons"] = buttons

    def _say_long(self, key: str, **ctx: Any) -> None:
        for part in split_message(self.content.say(key, self.fmt, **ctx), 4096):
            self._send(part)

    # ---- hooks and core overrides -------------------------------------------------------------
    def _on_session_opened(self) -> None:
        super()._on_session_opened()
        assert self.row is not None
        cohorts.share_new_session(self.db, self.user.id, self.row.id, self.now)

    def _start(self, args: str) -> None:
        if args.startswith("join-"):
            self._invitation(args.removeprefix("join-"))
            return
        super()._start(args)

    def _privacy(self, args: str) -> None:
        super()._privacy(args)
        memberships = cohorts.memberships(self.db, self.user.id)
        log = cohorts.access_log_for(self.db, self.user.id, limit=20)
        if memberships or log:
            view = [
                {
                    "name": m.cohort_name,
                    "left": m.left_at is not None,
                    "instructors": m.instructors,
                    "shared": [f"#{sid} {title or '(untitled)'}" for sid, title in m.shared],
                }
                for m in memberships
            ]
            self._say_long("course_privacy", memberships=view, log=log)

    def _help(self, args: str) -> None:
        super()._help(args)
        viewer = self._viewer()
        if viewer.is_instructor or viewer.is_admin:
            self._info("course_help", admin=viewer.is_admin)
        if store.current_cohorts(self.db, self.user.id):
            self._info("course_student_help")

    # ---- joining ------------------------------------------------------------------------------
    def _invitation(self, code: str) -> None:
        cohort = cohorts.cohort_by_code(self.db, code.strip())
        if cohort is None:
            self._info("course_join_unknown")
            return
        if store.is_member(self.db, cohort.id, self.user.id):
            self._info("course_join_already", cohort=cohort.name)
            return
        if cohort.closed:
            self._info("course_join_closed", cohort=cohort.name)
            return
        self.user.pending_action = f"{JOIN_PENDING}{cohort.id}"
        buttons = [
            [(self.content.say("course_agree", self.fmt), callbacks.make("cj", cohort.id, 1))],
            [(self.content.say("course_decline", self.fmt), callbacks.make("cj", cohort.id, 0))],
        ]
        self._send(
            self.content.say(
                "course_join_consent", self.fmt, cohort=cohort.name, instructors=cohort.instructors
            ),
            buttons=buttons,
        )

    def _join_pressed(self, pressed: Callback) -> None:
        cohort_id, agree = int(pressed.args[0]), int(pressed.args[1])
        if self.user.pending_action != f"{JOIN_PENDING}{cohort_id}":
            # Not the invitation this user opened (or already answered): a forged or old button
            # must never join anyone, and must not reveal whether the cohort exists.
            self.pressed = "stale"
            self._info("course_join_stale")
            return
        self.user.pending_action = None
        self.pressed = "accepted"
        if not agree:
            self._info("course_declined")
            return
        found = cohorts.cohort_infos(self.db, [cohort_id])
        if not found:
            self._info("course_join_unknown")
            return
        cohort = found[0]
        if cohort.closed:  # closed while the invitation waited for an answer
            self._info("course_join_closed", cohort=cohort.name)
            return
        cohorts.join(self.db, self.user.id, cohort_id, self.now)
        self._info("course_joined", cohort=cohort.name, instructors=cohort.instructors)
        earlier = cohorts.unshared_sessions(self.db, self.user.id, cohort_id)
        if not earlier:
            super()._start("")  # a new student starts preparing straight away (shared)
            return
        buttons = [
            [(f"#{sid} {title or '(untitled)'}"[:40], callbacks.make("cs", sid, cohort_id))]
            for sid, title in earlier[-OFFER_AT_MOST:]
        ]
        self._send(
            self.content.say("course_share_offer", self.fmt, cohort=cohort.name), buttons=buttons
        )

    # ---- sharing ------------------------------------------------------------------------------
    def _share_command(self, args: str) -> None:
        session_id = parse_id(args)
        if session_id is None:
            self._info("course_share_usage")
            return
        row = repo.get_session(self.db, session_id) if access.is_row_id(session_id) else None
        mine = [c for c in cohorts.current_cohorts(self.db, self.user.id) if not c.closed]
        if row is None or row.user_id != self.user.id or not mine:
            self._info("course_share_unknown")
            return
        if len(mine) == 1:
            self._share(session_id, mine[0].id)
            return
        buttons = [[(c.name[:40], callbacks.make("cs", session_id, c.id))] for c in mine]
        title = row.title or f"#{row.id}"
        self._send(self.content.say("course_share_which", self.fmt, title=title), buttons=buttons)

    def _share_pressed(self, pressed: Callback) -> None:
        session_id, cohort_id = int(pressed.args[0]), int(pressed.args[1])
        self.pressed = "accepted" if self._share(session_id, cohort_id) else "refused"

    def _share(self, session_id: int, cohort_id: int) -> bool:
        if not cohorts.share(self.db, self.user.id, session_id, cohort_id, self.now):
            self._info("course_share_unknown")
            return False
        row = repo.get_session(self.db, session_id)
        [cohort] = cohorts.cohort_infos(self.db, [cohort_id])
        title = (row.title if row else "") or f"#{session_id}"
        self._info("course_shared", title=title, cohort=cohort.name)
        return True

    # ---- leaving ------------------------------------------------------------------------------
    def _leave_command(self, _args: str) -> None:
        mine = cohorts.current_cohorts(self.db, self.user.id)
        if not mine:
            self._info("course_not_member")
            return
        shared = store.shared_sessions_of(self.db, self.user.id)
        for cohort in mine:
            count = sum(1 for cid, _s, _t in shared if cid == cohort.id)
            options = (
                [("course_leave_keep", 0), ("course_leave_withdraw", 1)]
                if count
                else [("course_leave_now", 0)]
            )
            buttons = [
                [(self.content.say(key, self.fmt), callbacks.make("cl", cohort.id, withdraw))]
                for key, withdraw in options
            ]
            text = self.content.say(
                "course_leave_confirm", self.fmt, cohort=cohort.name, count=count
            )
            self._send(text, buttons=buttons)

    def _leave_pressed(self, pressed: Callback) -> None:
        cohort_id, withdraw = int(pressed.args[0]), bool(pressed.args[1])
        if not access.is_row_id(cohort_id) or not store.is_member(self.db, cohort_id, self.user.id):
            self.pressed = "stale"
            self._info("course_not_member")
            return
        self.pressed = "accepted"
        [cohort] = cohorts.cohort_infos(self.db, [cohort_id])
        count = sum(
            1 for c, _s, _t in store.shared_sessions_of(self.db, self.user.id) if c == cohort_id
        )
        cohorts.leave(self.db, self.user.id, cohort_id, withdraw, self.now)
        self._info("course_left", cohort=cohort.name, withdrawn=withdraw and count, count=count)

    # ---- admins and instructors ---------------------------------------------------------------
    def _grant(self, args: str) -> None:
        viewer = self._viewer()
        if not access.may_grant(viewer):
            self._info("course_admin_only")
            return
        ident, _, name = args.partition(" ")
        telegram_id = parse_id(ident)
        if telegram_id is None:
            self._info("course_grant_usage")
            return
        try:
            granted = cohorts.add_instructor(
                self.db, telegram_id, name.strip() or None, viewer.external_id, self.now
            )
        except InvalidInputError:
            self._info("course_grant_usage")
            return
        self._info(
            "course_granted",
            name=granted.name,
            telegram_id=telegram_id,
            created=granted.created,
        )

    def _cohort(self, args: str) -> None:
        viewer = self._viewer()
        if not access.may_create_cohort(viewer):
            self._info("course_instructors_only")
            return
        action, _, name = args.partition(" ")
        if not action:
            self._list_cohorts(viewer)
            return
        if action.lower() != "new" or not name.strip():
            self._info("course_cohort_usage")
            return
        try:
            cohort = cohorts.create_cohort(self.db, name, viewer, self.now)
        except InvalidInputError:
            self._info("course_cohort_bad_name")
            return
        link = cohorts.invite_link(self.courses.bot_username, cohort.invite_code)
        self._private("course_cohort_created", name=cohort.name, link=link)

    def _list_cohorts(self, viewer: Viewer) -> None:
        mine = cohorts.cohorts_for(self.db, viewer)
        if not mine:
            self._info("course_cohort_none")
            return
        listing = [
            {
                "name": c.name,
                "student_count": c.student_count,
                "id": c.id,
                "closed": c.closed,
                "link": cohorts.invite_link(self.courses.bot_username, c.invite_code),
            }
            for c in mine
        ]
        self._private("course_cohort_list", cohorts=listing)
