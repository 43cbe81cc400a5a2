"""The per-message statements on SQLite, run on the driver connection itself.

Each message runs about seven statements. Through SQLAlchemy Core each costs ~55-100 µs on
the 2-core machine, through Python's sqlite3 about 10 µs; the coaching step went from ~1.4 ms
to under 1 ms (`make bench`). These functions run inside the transaction SQLAlchemy began
(same connection, same `BEGIN IMMEDIATE`), write exactly the formats SQLAlchemy writes (JSON
text, "YYYY-MM-DD HH:MM:SS.ffffff" timestamps, 0/1 booleans), and are only used on SQLite:
storage.repository and storage.messaging call them in place of their Core statements, and every
coach test runs both ways (SQLite here, PostgreSQL through Core).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.records import SessionRecord, UserRecord


def stamp(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond:06d}"


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


def claim_delivery(raw: sqlite3.Connection, delivery_id: str, now: datetime) -> bool:
    cursor = raw.execute(
        "INSERT INTO processed_deliveries (delivery_id, processed_at) VALUES (?, ?) "
        "ON CONFLICT DO NOTHING",
        (delivery_id, stamp(now)),
    )
    return cursor.rowcount == 1


def finish_inbox(raw: sqlite3.Connection, update_id: int, now: datetime) -> bool | None:
    cursor = raw.execute(
        "UPDATE inbox SET processed_at = ? WHERE update_id = ? AND processed_at IS NULL",
        (stamp(now), update_id),
    )
    if cursor.rowcount == 1:
        return True
    found = raw.execute("SELECT 1 FROM inbox WHERE update_id = ?", (update_id,)).fetchone()
    return False if found is not None else None


_USER_AND_SESSION = (
    "SELECT u.id, u.external_id, u.channel, u.display_name, u.current_session_id,"
    " u.pending_action, u.active,"
    " s.id, s.user_id, s.script_id, s.script_version, s.title, s.state, s.path, s.status,"
    " s.version, s.started_at, s.updated_at, s.completed_at, s.answer_map"
    " FROM users AS u LEFT OUTER JOIN coaching_sessions AS s ON s.id = u.current_session_id"
    " WHERE u.external_id = ?"
)


def load_user(
    raw: sqlite3.Connection, external_id: str
) -> tuple[UserRecord, SessionRecord | None] | None:
    row = raw.execute(_USER_AND_SESSION, (external_id,)).fetchone()
    if row is None:
        return None
    user = UserRecord(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]))
    if row[7] is None:
        return user, None
    session = SessionRecord(
        id=row[7],
        user_id=row[8],
        script_id=row[9],
        script_version=row[10],
        title=row[11],
        state=row[12],
        path=list(json.loads(row[13]) or []),
        status=row[14],
        version=row[15],
        started_at=_moment(row[16]),  # type: ignore[arg-type]
        updated_at=_moment(row[17]),  # type: ignore[arg-type]
        completed_at=_moment(row[18]),
        answer_map=dict(json.loads(row[19]) or {}),
    )
    return user, session


def save_answer(
    raw: sqlite3.Connection,
    session_id: int,
    question_id: str,
    value: Any,
    shown: str,
    now: datetime,
) -> None:
    raw.execute(
        "INSERT INTO answers (session_id, question_id, value, shown, answered_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, question_id) DO UPDATE SET"
        " value = excluded.value, shown = excluded.shown, answered_at = excluded.answered_at",
        (session_id, question_id, json.dumps(value), shown, stamp(now)),
    )


def save_session(raw: sqlite3.Connection, record: SessionRecord) -> bool:
    cursor = raw.execute(
        "UPDATE coaching_sessions SET title = ?, state = ?, path = ?, status = ?,"
        " updated_at = ?, completed_at = ?, answer_map = ?, version = ?"
        " WHERE id = ? AND version = ?",
        (
            record.title,
            record.state,
            json.dumps(record.path),
            record.status,
            stamp(record.updated_at),
            stamp(record.completed_at) if record.completed_at is not None else None,
            json.dumps(record.answer_map),
            record.version + 1,
            record.id,
            record.version,
        ),
    )
    return cursor.rowcount == 1


def add_lines(raw: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    raw.executemany(
        "INSERT INTO transcript_lines (session_id, sender, text, question_id, at)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (row["session_id"], row["sender"], row["text"], row["question_id"], stamp(row["at"]))
            for row in rows
        ],
    )


def add_outbox(
    raw: sqlite3.Connection,
    user_id: int | None,
    channel: str,
    chat_id: str,
    payloads: list[dict[str, Any]],
    now: datetime,
) -> list[int]:
    ids = []
    for payload in payloads:
        cursor = raw.execute(
            "INSERT INTO outbox (user_id, channel, chat_id, payload, created_at, attempts)"
            " VALUES (?, ?, ?, ?, ?, 0) RETURNING id",
            (user_id, channel, chat_id, json.dumps(payload), stamp(now)),
        )
        ids.append(int(cursor.fetchone()[0]))
    return ids


def mark_delivered(raw: sqlite3.Connection, ids: Sequence[int], now: datetime) -> None:
    marks = ",".join("?" * len(ids))
    raw.execute(f"UPDATE outbox SET delivered_at = ? WHERE id IN ({marks})", (stamp(now), *ids))


def add_inbox(
    raw: sqlite3.Connection,
    updates: Sequence[tuple[int, int | None, dict[str, Any]]],
    now: datetime,
) -> None:
    raw.executemany(
        "INSERT INTO inbox (update_id, chat_id, payload, received_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        [(update_id, chat, json.dumps(body), stamp(now)) for update_id, chat, body in updates],
    )
