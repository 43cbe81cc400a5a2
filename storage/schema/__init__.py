"""Every table Parley keeps, as SQLAlchemy 2 models, one module per area.

Importing this package completes `Base.metadata` (Alembic compares the migrations with it).

- `base`: the declarative base and the columns' default clock
- `coaching`: users, coaching sessions, answers, transcript lines, lesson findings
- `messaging`: inbox, outbox, processed deliveries
- `courses`: instructors, cohorts, members, shares, access log, notes, verdicts, sign-ins
- `followups`: reminders and debrief links
- `rehearsals`: rehearsals of a preparation and their replies
- `triage`: each instructor's review queue
- `digests`: what is new for each instructor, and when their next digest goes out
"""

from storage.schema.base import Base, utcnow
from storage.schema.coaching import Answer, CoachingSession, LessonFinding, TranscriptLine, User
from storage.schema.courses import (
    AccessLogEntry,
    Annotation,
    Cohort,
    CohortInstructor,
    CohortMember,
    Feedback,
    Instructor,
    LevelVerdict,
    LoginToken,
    SessionShare,
    WebSession,
)
from storage.schema.digests import InstructorDigest, InstructorNews
from storage.schema.followups import Debrief, Reminder
from storage.schema.messaging import InboxUpdate, OutboxMessage, ProcessedDelivery
from storage.schema.rehearsals import Rehearsal, RehearsalReply, RehearsalVerdict
from storage.schema.triage import ReviewMark

__all__ = [
    # courses
    "AccessLogEntry",
    "Annotation",
    "Answer",
    "Base",
    "CoachingSession",
    "Cohort",
    "CohortInstructor",
    "CohortMember",
    # follow-ups
    "Debrief",
    "Feedback",
    "InboxUpdate",
    "Instructor",
    # digests
    "InstructorDigest",
    "InstructorNews",
    "LessonFinding",
    "LevelVerdict",
    "LoginToken",
    "OutboxMessage",
    "ProcessedDelivery",
    # rehearsals
    "Rehearsal",
    "RehearsalReply",
    "RehearsalVerdict",
    "Reminder",
    "ReviewMark",
    "SessionShare",
    "TranscriptLine",
    "User",
    "WebSession",
    "utcnow",
]
