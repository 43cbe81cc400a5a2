"""What the instructor features return: plain, frozen records the Telegram commands and the
review site both render (no SQL rows or ORM objects leave `bot.courses.service`).

Every "may this viewer see it" decision is taken before one of these is built (`bot.courses.access`);
a record therefore only ever holds what its viewer is allowed to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.errors import ParleyError


class CourseError(ParleyError):
    """A course operation cannot be done as asked; the message says why (shown to operators
    and instructors, never containing another person's data)."""


class NotAnInstructorError(CourseError):
    """Only instructors may create or run a cohort (an admin grants the role first)."""


class InvalidInputError(CourseError):
    """A name, id or text is empty, too long or malformed."""


@dataclass(frozen=True)
class InstructorInfo:
    user_id: int
    telegram_id: int | None
    name: str
    granted_by: str | None
    created: bool
    """True when this call granted the role; False when they already had it (name updated)."""


@dataclass(frozen=True)
class CohortInfo:
    id: int
    name: str
    invite_code: str
    instructors: list[str]
    student_count: int
    """Current members (those who have not left)."""
    closed: bool = False
    """Closed by an instructor or the operator: the invite code no longer works."""


@dataclass(frozen=True)
class StudentRow:
    user_id: int
    name: str
    session_count: int
    """Preparations shared with this cohort (a debrief is not counted: it sits beside one)."""
    levels: dict[str, str]
    """lesson id -> level in the latest completed shared preparation, "n/a" where the lesson
    does not apply ("" when there is none: see `completed_count`)."""
    level_counts: dict[str, dict[str, int]]
    """lesson id -> level -> how many of their completed shared sessions had it (no longer
    filled by the heatmap, which shows the latest level and the student page the history)."""
    member: bool = True
    """False for a student who left but whose earlier sessions stay shared."""
    completed_count: int = 0
    """Of `session_count`, the completed ones (0 with sessions: only unfinished ones)."""
    latest_session_id: int | None = None
    """The session `levels` come from: each cell links to its evidence there."""
    new_sessions: int = 0
    """Shared sessions this instructor has not marked reviewed yet (the review queue)."""


@dataclass(frozen=True)
class RuleDisagreement:
    """How often instructors disagreed with the level of a lesson in sessions where this rule
    fired. `rule_id` "" groups verdicts on lessons where no rule fired (clear or gap)."""

    rule_id: str
    lesson_id: str
    verdicts: int
    disagreements: int
    rate: float


@dataclass(frozen=True)
class Arrangement:
    """How the instructor asked the heatmap to be sorted and filtered (checked values only:
    `bot.courses.heatmap` says which are known)."""

    sort: str = "name"
    lesson: str = ""
    level: str = ""
    show: str = ""


@dataclass(frozen=True)
class CohortOverview:
    cohort: CohortInfo
    students: list[StudentRow]
    lesson_totals: dict[str, dict[str, int]]
    disagreements: list[RuleDisagreement]
    page: int
    pages: int
    total_students: int
    query: str
    lessons: list[tuple[str, str]] = field(default_factory=list)
    """(lesson id, title) in the book's order, for column headings."""
    sort: str = "name"
    lesson_filter: str = ""
    level_filter: str = ""
    show: str = ""
    """"" everyone, "review" students with new sessions, "none" students with no session."""
    left_count: int = 0
    """Students who left but whose sessions stay shared (shown apart from the members)."""


@dataclass(frozen=True)
class StudentSession:
    """One shared session in an instructor's list (SessionSummary-like)."""

    id: int
    title: str
    status: str
    started_at: datetime
    completed_at: datetime | None
    levels: dict[str, str]
    how: str
    """"joined" (started while in the cohort) or "chosen" (shared afterwards by the student)."""
    debrief: StudentSession | None = None
    """The debrief looking back on this preparation, when it is shared too."""


@dataclass(frozen=True)
class ReviewLine:
    id: int
    at: datetime
    sender: str
    text: str
    question_id: str | None
    """For a bot line the question it asked; for a user line the question it answered."""
    rules: list[str]
    """Ids of the rules this answer fired (from the stored findings' evidence)."""


@dataclass(frozen=True)
class AnnotationInfo:
    id: int
    line_id: int | None
    lesson_id: str
    comment: str
    author: str
    created_at: datetime
    author_id: int | None = None
    """Who wrote it: only they may edit or delete it."""
    draft: bool = False
    """Not yet shown to the student: published when its author sends feedback (or chooses to)."""
    edited_at: datetime | None = None


@dataclass(frozen=True)
class FeedbackInfo:
    id: int
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class SessionReview:
    session_id: int
    student_user_id: int
    student_name: str
    title: str
    status: str
    export: dict[str, Any]
    """`bot.coach.reports.export_json` of the session, passed through unchanged."""
    lines: list[ReviewLine]
    annotations: list[AnnotationInfo]
    verdicts: dict[str, list[tuple[str, bool]]]
    """lesson id -> (instructor name, agrees with the bot's level)."""
    feedback: list[FeedbackInfo]
    my_verdicts: dict[str, bool] = field(default_factory=dict)
    """The viewer's own verdicts, lesson id -> agree."""
    verdict_reasons: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    """lesson id -> (instructor, the level they suggest, why) for each disagreement."""
    levels: dict[str, str] = field(default_factory=dict)
    """lesson id -> the bot's level (from the stored findings; empty until completed)."""
    shown_levels: dict[str, str] = field(default_factory=dict)
    """lesson id -> what the page shows: `levels`, or the live level of an unfinished session,
    with "n/a" (does not apply) and "not reached" (never asked) where they hold."""
    prepared_session_id: int | None = None
    """For a debrief, the preparation it looks back on."""
    full_title: str = ""
    """The answer the title was cut from, whole (the title itself is at most 80 characters)."""
    reply_verdicts: dict[int, list[ReplyVerdictInfo]] = field(default_factory=dict)
    """rehearsal reply id -> instructors' verdicts on the feedback it got."""
    my_reply_verdicts: dict[int, bool] = field(default_factory=dict)
    """The viewer's own verdicts on rehearsal feedback, reply id -> agree."""


@dataclass(frozen=True)
class ReplyVerdictInfo:
    """An instructor's verdict on the feedback one rehearsal reply got; `reason` is the
    disagreement's sentence ("" when agreeing)."""

    who: str
    agree: bool
    reason: str


@dataclass(frozen=True)
class QueuePlace:
    """Where a session stands in its instructor's review queue of one cohort."""

    cohort_id: int
    cohort_name: str
    state: str
    """"new", "reviewed" or "feedback" (feedback sent)."""
    previous_id: int | None
    """The new session before this one in the queue (completion order), if any."""
    next_id: int | None
    new_count: int


@dataclass(frozen=True)
class SearchHit:
    line_id: int
    session_id: int
    student_user_id: int
    student_name: str
    title: str
    at: datetime
    sender: str
    text: str
    question: str = ""
    """The question the line answered, in short (its `short`, else its prompt cut to a line)."""


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    page: int
    pages: int
    total: int
    query: str
    lesson: str = ""
    level: str = ""


@dataclass(frozen=True)
class AccessEntry:
    """One instructor view of a student's transcript, as the student sees it in /privacy."""

    at: datetime
    viewer_name: str
    session_id: int | None
    session_title: str
    via: str


@dataclass(frozen=True)
class Membership:
    """A student's cohort, as they see it in /privacy."""

    cohort_id: int
    cohort_name: str
    instructors: list[str]
    joined_at: datetime
    left_at: datetime | None
    shared: list[tuple[int, str]]
    """(session id, title) of their sessions shared with this cohort."""


@dataclass(frozen=True)
class CourseSettings:
    """What the Telegram commands need beyond the database: who the admins are, the bot's
    username (for invite links) and the review site's address and signing key (for /web)."""

    admin_ids: frozenset[int] = frozenset()
    bot_username: str = ""
    web_base_url: str = ""
    web_secret: str = field(default="", repr=False)
