"""Course data: cohorts and membership, instructors, notes and verdicts, review queries, the
review site's sign-in links and browser sessions (`browsers`)."""

__all__ = ["admin", "browsers", "cohorts", "notes", "review"]
