"""Courses: instructors, cohorts, students' consent and sharing, review and feedback.

Three routers (`commands` for students, `setup_commands` for admins and instructors setting a
course up, `review_commands` for reviewing) on top of `CourseService` (`service`), which every
adapter (Telegram, the review site, the CLI) asks, and which asks `access` for every decision.
"""

__all__ = [
    "access",
    "admin",
    "cohorts",
    "commands",
    "own_sessions",
    "pages",
    "replies",
    "review",
    "review_commands",
    "service",
    "setup_commands",
    "types",
    "web_login",
]
