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
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from bot.coach.ids import external_id, split_external_id
from bot.coach.messages import FORMATS, Inbound, Outbound, Reply, SessionSummary, outbound
from bot.coach.reports import export_document, export_json
from bot.coach.router import Router
from bot.coach.turn import Turn
from bot.engine.content import Content
from storage import inbox_failures
from storage import repository as repo
from storage.uow import Database, UnitOfWork

log = logging.getLogger(__name__)
T = TypeVar("T")


class CoachService:
    """Owns the transaction around every inbound message; holds no per-user state."""

    def __init__(
        self,
        database: Database,
        content: Content,
        routes: Router[Turn],
        clock: Callable[[], datetime] | None = None,
        settings: Iterable[object] = (),
    ) -> None:
        # One clock: the units of work carry it, so what a turn stores is dated by it too.
        self.database = database.with_clock(clock)
        self.clock = self.database.clock
        self.routes = routes
        # Each feature's settings by type (admins and the site for courses, say), read in a
        # turn with `turn.setting(Kind)`; the core never looks inside them.
        self.settings: dict[type, object] = {type(value): value for value in settings}
        self.engine: Engine = self.database.engine
        self._local = threading.local()
        self._connections: list[Connection] = []
        self._connections_lock = threading.Lock()
        self.content = content

    def setting(self, kind: type[T]) -> T:
        """A feature's settings as configured (its defaults when never configured)."""
        found = self.settings.get(kind)
        return found if isinstance(found, kind) else kind()

    def configure(self, value: object) -> None:
        """Replace one feature's settings (the Telegram app learns the bot's username from
        getMe at start-up, after the service was built)."""
        self.settings[type(value)] = value

    @contextmanager
    def _transaction(self) -> Iterator[UnitOfWork]:
        """A unit of work on this thread's own connection, kept between messages: checking a
        connection out of the pool for every message cost ~80 µs of a ~750 µs step."""
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None or connection.closed or connection.invalidated:
            connection = self.engine.connect()
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        with connection.begin():
            yield self.database.on(connection)

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
                db,
                external_id(inbound.channel, inbound.user_ref),
                inbound.channel,
                inbound.display_name,
            )
            turn = Turn(
                db,
                self.content,
                self.routes,
                user,
                inbound,
                fmt,
                self.clock(),
                current,
                self.settings,
            )
            turn.run()
            repo.add_lines(db, turn.lines)
            ids = repo.add_outbox(db, turn.user_id, inbound.channel, inbound.chat_id, turn.outgoing)
        messages = [
            outbound(row_id, inbound.chat_id, self._for_sending(payload))
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
                outbound(row.id, row.chat_id, self._for_sending(row.payload))
                for row in repo.pending_outbox(db, channel, limit, chat_id)
            ]

    def _for_sending(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A stored payload as it goes out: each feature's send hook may fill in what is not
        kept at rest (the sign-in link of /web)."""
        for hook in self.routes.send_hooks:
            payload = hook(self.settings, payload)
        return payload

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
        with self.database.begin() as db:
            user_id = None
            if channel is not None:
                user = repo.user_by_external_id(db, external_id(channel, user_ref or ""))
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
                    user=split_external_id(names.get(row.user_id, ""))[1],
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
        with self.database.begin() as db:
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
        with self.database.begin() as db:
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
        return [outbound(row_id, chat_id, payload)]

    @staticmethod
    def _claim(db: UnitOfWork, channel: str, delivery_id: str, inbox_id: int | None) -> bool:
        """First delivery of this id? An update kept in the inbox is claimed by marking its
        row handled (one statement); anything else by recording its delivery id."""
        if inbox_id is not None:
            first = repo.finish_inbox(db, inbox_id)
            if first is not None:
                return first
        return repo.claim_delivery(db, f"{channel}:{delivery_id}")

    def update_failed(
        self, channel: str, update_id: int, reason: str, max_attempts: int, text: str
    ) -> tuple[str, list[Outbound]]:
        """Handling a stored update raised. Count it; at `max_attempts` give the update up and
        queue `text` (one line: the message was not saved) to its chat, in one transaction.
        Returns ("retry" | "given_up" | "handled", messages to send now); "handled": no such
        update is waiting (it was handled after all: its replies are in the outbox)."""
        with self._transaction() as db:
            failure = inbox_failures.record_failure(
                db, update_id, reason, max_attempts, self.clock()
            )
            if failure is None:
                return "handled", []
            if not failure.given_up:
                return "retry", []
            if failure.chat_id is None:
                return "given_up", []
            chat = str(failure.chat_id)
            payload: dict[str, Any] = {"text": text, "kind": "error", "format": FORMATS[channel]}
            [row_id] = repo.add_outbox(db, None, channel, chat, [payload])
        return "given_up", [outbound(row_id, chat, payload)]

    def refuse_update(self, update_id: int, reason: str) -> None:
        """Keep an update id the adapter refused (a malformed webhook body) as failed."""
        with self._transaction() as db:
            inbox_failures.store_refused(db, update_id, reason, self.clock())

    def mark_failed(self, ids: Sequence[int], reason: str) -> None:
        with self.database.begin() as db:
            repo.mark_failed(db, ids, reason)

    def user_blocked(self, channel: str, user_ref: str, chat_id: str) -> None:
        """The user blocked the bot: stop sending and mark them inactive until they return."""
        with self.database.begin() as db:
            repo.set_user_active(db, external_id(channel, user_ref), False)
            repo.fail_pending_for_chat(db, channel, chat_id, "blocked by the user")
        log.info("user blocked the bot channel=%s", channel)
