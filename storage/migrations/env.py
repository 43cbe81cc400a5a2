"""Alembic environment: runs against the engine Parley hands over (see storage.database)."""

from __future__ import annotations

from alembic import context

from storage.schema import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration rebuilds a table as copy, DROP, rename. With foreign keys on, the
        # DROP of `users` cascades to every session (ON DELETE CASCADE): the data is lost.
        # SQLite only honours this pragma outside a transaction, hence the driver connection.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
    if sqlite:
        raw = connection.connection.driver_connection
        problems = raw.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"migration left rows breaking foreign keys: {problems[:5]}")
        raw.execute("PRAGMA foreign_keys=ON")
