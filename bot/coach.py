"""The coach service: one inbound message in, one transaction, outgoing messages out.

Transport-agnostic: the console, Telegram and tests all call `CoachService.handle(Inbound)`.
Inside one database transaction it drops a duplicate delivery, loads and locks the user's open
session, asks the dialogue engine for the step, stores the answer and transcript lines and
writes every outgoing message to the outbox. The adapter sends what `handle` returns only after
the commit, then calls `mark_delivered`; whatever it did not send is found by `pending`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.attachments import Attachment, attachment_of
from bot.conversation import Turn
from bot.course_types import CourseSettings
from bot.engine.content import Content
from bot.engine.render import Format
from bot.reports import export_document, export_json
from storage import repository as repo
from storage.models import utcnow

log = logging.getLogger(__name__)

FORMATS: dict[str, Format] = {"console": "text", "telegram": "html", "web": "html"}


@dataclass(frozen=True)
class Inbound:
    """A message or button press, whatever it arrived by.

    `delivery_id` is unique per delivery (Telegram's update id); a second delivery with the same
    id does nothing. `media` names non-text content (\"a sticker\") so it can be answered.
    """

    channel: str
    user_ref: str
    chat_id: str
    delivery_id: str
    text: str | None = None
    button: str | None = None
    media: str | None = None
    display_name: str = ""
    inbox_id: int | None = None


@dataclass(frozen=True)
class Outbound:
    outbox_id: int
    chat_id: str
    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()
    kind: str = "info"
    progress: tuple[int, int] | None = None
    attachment: Attachment | None = None
    question: str | None = None
    """For a question: its id (the session's state while it waits for the answer)."""

    @property
    def options(self) -> list[tuple[str, str]]:
        return [button for row in self.buttons for button in row]


@dataclass(frozen=True)
class Reply:
    messages: list[Outbound] = field(default_factory=list)
    notice: str | None = None
    duplicate: bool = False
    pressed: str | None = None
    """For a button press: "accepted", "stale" or "refused" (adapters update the keyboard)."""
    chosen: str | None = None
    """For an accepted answer button: the option as the user saw it."""
    state: str = "-"
    """The session's state after this message (for logs)."""


@dataclass(frozen=True)
class SessionSummary:
    id: int
    title: str
    status: str
    state: str
    user: str
    script: str
    script_version: int
    started_at: str
    updated_at: str

    def as_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def _outbound(row_id: int, chat_id: str, payload: dict[str, Any]) -> Outbound:
    buttons = tuple(
        tuple((str(label), str(data)) for label, data in row) for row in payload.get("buttons", [])
    )
    progress = payload.get("progress")
    return Outbound(
        outbox_id=row_id,
        chat_id=chat_id,
        text=str(payload["text"]),
        buttons=buttons,
        kind=str(payload.get("kind", "info")),
        progress=(int(progress[0]), int(progress[1])) if isinstance(progress, list) else None,
        attachment=attachment_of(payload),
        question=str(payload["question"]) if payload.get("question") else None,
    )


class CoachService:
    """Owns the transaction around every inbound message; holds no per-user state."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        content: Content,
        clock: Callable[[], datetime] = utcnow,
        admin_ids: frozenset[int] = frozenset(),
    ) -> None:
        self.sessions = sessions
        # Instructor features: admins, the bot's username for invite links, the review site.
        self.courses = CourseSettings(admin_ids=admin_ids)
        # The per-message path runs on a Core connection: an ORM session's bookkeeping cost
        # more than the statements (see storage.records and `make bench`).
        self.engine: Engine = sessions.kw["bind"]
        self._local = threading.local()
        self._connections: list[Connection] = []
        self._connections_lock = threading.Lock()
        self.content = content
        self.clock = clock

    def configure_courses(self, **changes: Any) -> None:
        """Set `bot_username`, `web_base_url` or `web_secret` for the instructor commands
        (the Telegram app learns the username from getMe at start-up)."""
        self.courses = replace(self.courses, **changes)

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """A transaction on this thread's own connection, kept between messages: checking a
        connection out of the pool for every message cost ~80 µs of a ~750 µs step."""
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None or connection.closed or connection.invalidated:
            connection = self.engine.connect()
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        with connection.begin():
            yield connection

    def close(self) -> None:
        """Return every thread's kept connection (call before disposing of the engine)."""
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()

    def handle(self, inbound: Inbound) -> Reply:
        """Apply one inbound message exactly once and return what to send."""
        fmt = FORMATS.get(inbound.channel, "text")
        with self._transaction() as db:
            if not self._claim(db, inbound.channel, inbound.delivery_id, inbound.inbox_id):
                log.info("duplicate delivery ignored delivery=%s", inbound.delivery_id)
                return Reply(duplicate=True)
            user, current = repo.load_user(
                db, f"{inbound.channel}:{inbound.user_ref}", inbound.channel, inbound.display_name
            )
            turn = Turn(db, self.content, user, inbound, fmt, self.clock(), current)
            turn.courses = self.courses
            turn.run()
            repo.add_lines(db, turn.lines)
            ids = repo.add_outbox(db, turn.user_id, inbound.channel, inbound.chat_id, turn.outgoing)
        messages = [
            _outbound(row_id, inbound.chat_id, payload)
            for row_id, payload in zip(ids, turn.outgoing, strict=True)
        ]
        log.debug(
            "handled channel=%s delivery=%s state=%s replies=%d",
            inbound.channel,
            inbound.delivery_id,
            turn.state_after,
            len(messages),
        )
        return Reply(
            messages, turn.notice, pressed=turn.pressed, chosen=turn.chosen, state=turn.state_after
        )

    def pending(self, channel: str, chat_id: str | None = None, limit: int = 500) -> list[Outbound]:
        """Committed but undelivered messages, oldest first (sent again at start-up)."""
        with self._transaction() as db:
            return [
                _outbound(row.id, row.chat_id, row.payload)
                for row in repo.pending_outbox(db, channel, limit, chat_id)
            ]

    def outbox_backlog(self, channel: str) -> int:
        """How many committed messages wait to be sent (a metric)."""
        with self._transaction() as db:
            return repo.count_pending_outbox(db, channel)

    def mark_delivered(self, ids: Sequence[int]) -> None:
        with self._transaction() as db:
            repo.mark_delivered(db, ids)

    def list_all(self) -> list[SessionSummary]:
        """Every session on every channel, oldest first (operator listing)."""
        return self._summaries(None, None)

    def list_sessions(self, channel: str, user_ref: str) -> list[SessionSummary]:
        """One user's sessions, oldest first."""
        return self._summaries(channel, user_ref)

    def _summaries(self, channel: str | None, user_ref: str | None) -> list[SessionSummary]:
        with self.sessions() as db:
            user_id = None
            if channel is not None:
                user = repo.user_by_external_id(db, f"{channel}:{user_ref}")
                if user is None:
                    return []
                user_id = user.id
            names = repo.user_names(db)
            return [
                SessionSummary(
                    id=row.id,
                    title=row.title,
                    status=row.status,
                    state=row.state,
                    user=names.get(row.user_id, "").partition(":")[2],
                    script=row.script_id,
                    script_version=row.script_version,
                    started_at=row.started_at.isoformat(timespec="seconds") + "Z",
                    updated_at=row.updated_at.isoformat(timespec="seconds") + "Z",
                )
                for row in repo.sessions_of(db, user_id)
            ]

    def export(
        self, session_id: int, owner: tuple[str, str] | None = None
    ) -> dict[str, Any] | None:
        """The JSON export of one session; None if missing or not `owner`'s (channel, user)."""
        with self.sessions() as db:
            row = repo.get_session(db, session_id)
            if row is None:
                return None
            user = repo.user_by_id(db, row.user_id)
            if owner is not None and (user is None or user.external_id != ":".join(owner)):
                return None
            name = user.display_name or user.external_id if user else ""
            return export_json(db, self.content, row, name)

    def export_document(self, data: dict[str, Any], fmt: str) -> str:
        return export_document(self.content, data, fmt)

    # ---- for adapters with a durable inbox (Telegram) ---------------------------------------
    def store_inbox(self, updates: Sequence[tuple[int, int | None, dict[str, Any]]]) -> None:
        """Keep a fetched batch before confirming it to the sender (one transaction)."""
        with self._transaction() as db:
            repo.add_inbox(db, updates)

    def chats_needing_work(self, channel: str, grace_seconds: float = 2.0) -> list[int]:
        """Chats with unhandled stored updates, or with messages left unsent for a while."""
        older_than = self.clock() - timedelta(seconds=grace_seconds)
        with self._transaction() as db:
            chats = set(repo.chats_with_pending_updates(db))
            for chat in repo.chats_with_pending_outbox(db, channel, older_than):
                if chat.lstrip("-").isdigit():
                    chats.add(int(chat))
        return sorted(chats)

    def pending_inbox_for_chat(self, chat_id: int) -> list[tuple[int, dict[str, Any]]]:
        with self._transaction() as db:
            return repo.pending_inbox_for_chat(db, chat_id)

    def pending_inbox(self) -> list[tuple[int, dict[str, Any]]]:
        with self.sessions.begin() as db:
            return repo.pending_inbox(db)

    def claim(self, channel: str, delivery_id: str, inbox_id: int | None = None) -> bool:
        """For updates answered without the coach (group chats, edits): True the first time."""
        with self._transaction() as db:
            return self._claim(db, channel, delivery_id, inbox_id)

    def notify(
        self, channel: str, delivery_id: str, inbox_id: int | None, chat_id: str, text: str
    ) -> list[Outbound]:
        """A fixed reply to an update the coach does not handle (a group chat, an edit): claimed
        and queued in one transaction, so it is sent once and survives a crash like any reply."""
        payload: dict[str, object] = {"text": text, "kind": "info", "format": FORMATS[channel]}
        with self._transaction() as db:
            if not self._claim(db, channel, delivery_id, inbox_id):
                return []
            [row_id] = repo.add_outbox(db, None, channel, chat_id, [payload])
        return [_outbound(row_id, chat_id, payload)]

    @staticmethod
    def _claim(db: repo.Db, channel: str, delivery_id: str, inbox_id: int | None) -> bool:
        """First delivery of this id? An update kept in the inbox is claimed by marking its
        row handled (one statement); anything else by recording its delivery id."""
        if inbox_id is not None:
            first = repo.finish_inbox(db, inbox_id)
            if first is not None:
                return first
        return repo.claim_delivery(db, f"{channel}:{delivery_id}")

    def mark_failed(self, ids: Sequence[int], reason: str) -> None:
        with self.sessions.begin() as db:
            repo.mark_failed(db, ids, reason)

    def user_blocked(self, channel: str, user_ref: str, chat_id: str) -> None:
        """The user blocked the bot: stop sending and mark them inactive until they return."""
        with self.sessions.begin() as db:
            repo.set_user_active(db, f"{channel}:{user_ref}", False)
            repo.fail_pending_for_chat(db, channel, chat_id, "blocked by the user")
        log.info("user blocked the bot channel=%s", channel)

    def current_session(self, channel: str, user_ref: str) -> int | None:
        with self.sessions.begin() as db:
            user = repo.user_by_external_id(db, f"{channel}:{user_ref}")
            return user.current_session_id if user is not None else None
