"""StorageError: the root of what the storage package raises on purpose.

`storage` knows nothing of `bot` (imports point inward), so it keeps its own root; adapters
catch it beside `bot.errors.ParleyError`. The tree:

    StorageError
    └── StaleSessionError   a session row changed since this turn read it (its version moved)
"""

from __future__ import annotations


class StorageError(Exception):
    """The database refused an operation Parley asked for."""


class StaleSessionError(StorageError):
    """A session row changed since it was read: another writer got there first."""


__all__ = ["StaleSessionError", "StorageError"]
