"""The debrief after a real negotiation, and /progress across negotiations (`commands`)."""

__all__ = ["commands"]
