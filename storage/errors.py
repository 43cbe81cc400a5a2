"""StorageError: the root of what the storage package raises on purpose.

`storage` knows nothing of `bot` (imports point inward), so it keeps its own root; adapters
catch it beside `bot.errors.ParleyError`. The tree:

    StorageError
    ├── StaleSessionError     a session row changed since this turn read it (its version moved)
    └── DatabasePlaceError    the SQLite file's place cannot hold a database (a file in the path,
                              no permission, a folder where the file should be)
"""

from __future__ import annotations


class StorageError(Exception):
    """The database refused an operation Parley asked for."""


class StaleSessionError(StorageError):
    """A session row changed since it was read: another writer got there first."""


class DatabasePlaceError(StorageError):
    """The SQLite database cannot live where DATABASE_URL points; the message says why in one
    line, so the entry point can print it instead of a traceback."""


__all__ = ["DatabasePlaceError", "StaleSessionError", "StorageError"]
