"""Reminders: a checklist the day before the negotiation and a debrief invitation after it.

`commands` (the router: /reminders /snooze /stop /timezone, the `m` buttons, planning when the
date is answered), `schedule` (when, in the user's zone), `service` (firing, exactly once).
"""

__all__ = ["commands", "schedule", "service"]
