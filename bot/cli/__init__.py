"""`python -m bot ...`: `main` parses; `coach`, `ops` and `courses` hold the commands."""

__all__ = ["coach", "common", "courses", "main", "ops"]
