"""A clean PostgreSQL database for tests and benchmarks that run against one."""

from __future__ import annotations

from sqlalchemy import text

from storage.database import make_engine


def reset_schema(url: str) -> None:
    """Drop and recreate the public schema, so migrations start from nothing."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
