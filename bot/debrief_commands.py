"""/debrief: a look back at a prepared negotiation; /progress: lessons across negotiations.

A debrief is an ordinary session on the follow-up script (dialogues/debrief.yaml, `follows:
coach`), linked to the preparation in the `debriefs` table and started with the preparation's
context (its title, verdicts and answers; bot.engine.debrief), so it asks about the lessons that
preparation flagged. One debrief per preparation: asking again offers the existing one.
The "d" button (the reminders' invitation) carries the prepared session's id.
"""

from __future__ import annotations

from textwrap import shorten
from typing import ClassVar

from bot import callbacks
from bot.callbacks import Callback
from bot.engine import debrief
from bot.engine.content import Content
from bot.engine.lessons import ASKED, progress
from bot.engine.machine import Conversation
from bot.turn_state import TurnState
from storage import debriefs as store
from storage import repository as repo
from storage.records import SessionRecord


def conversation_of_row(row: SessionRecord, content: Content) -> Conversation:
    """A stored session's conversation from its row (answers and context in `answer_map`)."""
    state, path, _moved = content.dialogue.resume_state(row.state, list(row.path))
    return Conversation(
        state=state,
        values={key: pair[0] for key, pair in row.answer_map.items()},
        shown={key: pair[1] for key, pair in row.answer_map.items()},
        path=path,
    )


class DebriefCommands(TurnState):
    """/debrief [ID], the "d" button, and /progress over preparations and their debriefs."""

    COMMANDS: ClassVar[dict[str, str]] = {"/debrief": "_debrief", "/progress": "_progress"}
    BUTTONS: ClassVar[dict[str, str]] = {"d": "_debrief_pressed"}

    def _preparation_scripts(self, debriefable: bool) -> list[str]:
        """Scripts whose sessions are negotiations prepared (not follow-ups); with
        `debriefable`, only those the content has a debrief script for."""
        found = []
        for script_id in self.default_content.script_ids:
            content = self.default_content.for_script(script_id)
            if content.script.follows is None and (
                not debriefable or content.follow_up() is not None
            ):
                found.append(script_id)
        return found

    def _refuse(self, key: str, **context: object) -> None:
        """A /debrief that cannot go ahead: said as an error (the console exits 1 on it)."""
        self._send(self.content.say(key, self.fmt, **context), kind="error")

    def _debrief(self, args: str) -> None:
        ident = args.strip().lstrip("#")
        if not ident:
            latest = store.latest_undebriefed(
                self.db, self.user.id, self._preparation_scripts(debriefable=True)
            )
            if latest is None:
                self._refuse("debrief_none")
                self._reshow()
                return
            self._debrief_for(latest, str(latest))
        elif (session_id := callbacks.row_id(ident)) is not None:
            self._debrief_for(session_id, ident)
        else:
            self._refuse("debrief_unknown", ident=args.strip()[:20])

    def _debrief_pressed(self, pressed: Callback) -> None:
        prepared_id = int(pressed.args[0])
        outcome = self._debrief_for(prepared_id, str(prepared_id))
        self.pressed = "accepted" if outcome else "refused"
        if not outcome:
            self.notice = self.content.say("debrief_button_refused", "text")

    def _debrief_for(self, prepared_id: int, shown: str) -> bool:
        """Open (or offer) the debrief of one of the user's completed preparations; False,
        with the reason said, when it can't be. Another user's session reads as unknown."""
        row = repo.lock_session(self.db, prepared_id)
        if row is None or row.user_id != self.user.id:
            self._refuse("debrief_unknown", ident=shown[:20])
            return False
        if not self._usable(row):
            return False
        follow_up = self.default_content.for_script(row.script_id).follow_up()
        if follow_up is None:
            self._refuse("debrief_not_preparation", ident=row.id)
            return False
        if row.status != "completed":
            self._refuse("debrief_incomplete", ident=row.id, title=row.title or "(untitled)")
            return False
        existing = store.debrief_of(self.db, row.id)
        if existing is not None:
            self._offer_existing(existing, row)
            return True
        self._open_debrief(row, follow_up)
        return True

    def _offer_existing(self, debrief_id: int, prepared: SessionRecord) -> None:
        found = repo.get_session(self.db, debrief_id)
        done = found is not None and found.status == "completed"
        label = self.content.say("debrief_show" if done else "debrief_continue", self.fmt)
        text = self.content.say(
            "debrief_exists", self.fmt, title=prepared.title or "(untitled)", done=done
        )
        self._send(text, buttons=[[(label, callbacks.resume(debrief_id))]])

    def _open_debrief(self, prepared: SessionRecord, follow_up: Content) -> None:
        prep_content = self.default_content.for_script(prepared.script_id)
        prepared_conv = conversation_of_row(prepared, prep_content)
        stored = store.levels_of(self.db, prepared.id) or {
            finding.lesson.id: finding.level for finding in prep_content.findings(prepared_conv)
        }
        levels = {lesson.id: stored.get(lesson.id, "clear") for lesson in self.content.book.lessons}
        title = prepared.title or "your negotiation"
        context = debrief.seed(prep_content.script, title, levels, prepared_conv)
        script = follow_up.script
        row = repo.create_session(
            self.db, self.user.id, script.id, script.version, script.start, self.now
        )
        store.link(self.db, row.id, prepared.id)
        self._attach(row)
        assert self.row is not None and self.conv is not None
        named = self.content.say("debrief_title", "text", title=title)
        self.row.title = shorten(named, 60, placeholder="…")
        for key, (value, shown) in context.items():
            self.row.answer_map[key] = [value, shown]
            self.conv.values[key] = value
            self.conv.shown[key] = shown
        self._on_session_opened()
        asked = [lesson for lesson, level in levels.items() if level in ASKED]
        self._info("debrief_intro", title=title, flagged=len(asked))
        self._ask()

    def _progress(self, _args: str) -> None:
        """Which lessons recur across the user's negotiations and which they have overcome:
        their completed preparations' verdicts and what their completed debriefs said."""
        found = store.negotiations(
            self.db, self.user.id, self._preparation_scripts(debriefable=False)
        )
        if not found:
            self._info("progress_none")
            return
        lesson_ids = [lesson.id for lesson in self.content.book.lessons]
        said: list[dict[str, str]] = []
        debriefed = 0
        for negotiation in found:
            row = negotiation.debrief
            if (
                row is None
                or row.status != "completed"
                or not self.default_content.has_script(row.script_id)
            ):
                said.append({})
                continue
            debriefed += 1
            content = self.default_content.for_script(row.script_id)
            conv = conversation_of_row(row, content)
            said.append(debrief.verdicts(content.script, conv, lesson_ids))
        verdicts = progress([n.levels for n in found], said)
        titles = {lesson.id: lesson.title for lesson in self.content.book.lessons}
        grouped: dict[str, list[str]] = {}
        for lesson_id, verdict in verdicts.items():
            grouped.setdefault(verdict, []).append(titles[lesson_id])
        self._info(
            "progress",
            count=len(found),
            debriefs=debriefed,
            latest=found[-1].title,
            groups=grouped,
        )
