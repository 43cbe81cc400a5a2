"""A clean PostgreSQL database for tests and benchmarks that run against one."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.database import make_engine


def worker_database(url: str, worker: str) -> str:
    """The URL of `worker`'s own database beside `url`'s (created if missing).

    `make test` runs pytest on every core (pytest-xdist); each worker resets its schema
    freely, so two workers must never share one database."""
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if exists is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def reset_schema(url: str) -> None:
    """Drop and recreate the public schema, so migrations start from nothing."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
