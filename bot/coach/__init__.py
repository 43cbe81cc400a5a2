"""The coach core: one transaction per inbound message, the turn that routes it, and the router
features register on. Transport-agnostic (no Telegram, no HTTP); knows no feature.

The face adapters use: `CoachService`, `Inbound`, `Outbound`, `Reply`; features use `Router`
and `Turn`.
"""

from bot.coach.messages import Inbound, Outbound, Reply, SessionSummary
from bot.coach.router import DuplicateRouteError, Router
from bot.coach.service import CoachService
from bot.coach.turn import Turn

__all__ = [
    "CoachService",
    "DuplicateRouteError",
    "Inbound",
    "Outbound",
    "Reply",
    "Router",
    "SessionSummary",
    "Turn",
]
