"""Rehearsal (issue 15): practise hard moments against the other side after a report."""
