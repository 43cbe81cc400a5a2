"""Engines and the database: SQLite with the settings DESIGN.md measured, PostgreSQL as it is.

SQLite: WAL, synchronous=NORMAL, a busy timeout, foreign keys on, and `BEGIN IMMEDIATE` for every
transaction. Python's sqlite3 would otherwise start a deferred transaction that takes the write
lock only at the first write, and two writers that both read first then lose an update. The
database file and its folder are created on first use, and migrations are applied to head.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from storage.errors import DatabasePlaceError
from storage.uow import Clock, Database, system_clock

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "busy_timeout=10000",
            "foreign_keys=ON",
            # Checkpoints run on the checkpointer thread, not inside a user's transaction.
            "wal_autocheckpoint=0",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Straight to the driver: this runs once per transaction on the per-message path.
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE")


class Checkpointer:
    """Moves SQLite's WAL checkpoints off the per-message path.

    With automatic checkpoints, every ~100th write transaction (1,000 WAL pages) copied the
    WAL into the database and fsynced inside a user's turn: measured 5-7 ms spikes that made the
    step p99. Here a daemon thread runs a PASSIVE checkpoint (it never blocks writers) every
    `interval` seconds on its own connection.
    """

    def __init__(self, path: str, interval: float = 1.0) -> None:
        self.path = path
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            connection = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
        except sqlite3.Error as exc:
            # The engine's own first connection reports the same problem to the person.
            log.warning("checkpointer not started path=%s reason=%s", self.path, exc)
            return
        try:
            while not self._stop.wait(self.interval):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error:
                    log.warning("checkpoint failed path=%s", self.path, exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _prepare_sqlite_place(path: Path) -> None:
    """Create the SQLite file's folder, or say in one line why it cannot be there.

    Without this, a path through a file or a folder nobody may write to ended in a traceback
    from pathlib at start-up (issue 13: every start-up error is one line)."""
    if path.is_dir():
        raise DatabasePlaceError(f"{path} is a folder; DATABASE_URL must name a file inside it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DatabasePlaceError(f"cannot create the folder {path.parent}: {reason}") from None


def make_engine(url: str, pool_size: int = 5) -> Engine:
    """An engine for `url`; for SQLite the file's folder is created if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _prepare_sqlite_place(Path(parsed.database))
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            # Every transaction ends in an explicit COMMIT or ROLLBACK, so the pool's extra
            # rollback on check-in is pure overhead on the per-message path.
            pool_reset_on_return=None,
        )
        _sqlite_setup(engine)
        if parsed.database and parsed.database != ":memory:":
            checkpointer = Checkpointer(parsed.database)
            event.listen(engine, "engine_disposed", lambda _engine: checkpointer.stop())
        return engine
    if parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration."""
    heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads


def upgrade(engine: Engine) -> None:
    """Apply every pending migration (the database is created if it does not exist)."""
    if is_current(engine):
        return
    log.info("database upgrade starting url=%s", engine.url.render_as_string(hide_password=True))
    command.upgrade(alembic_config(engine), "head")


def open_database(
    url: str, pool_size: int = 5, *, clock: Clock = system_clock, fast: bool = True
) -> Database:
    """Engine + migrations: what every entry point calls once at start. Its units of work
    carry `clock`; `fast=False` runs every statement through Core on SQLite too (tests run
    both ways, see storage.statements)."""
    engine = make_engine(url, pool_size)
    upgrade(engine)
    return Database(engine, clock, fast)
