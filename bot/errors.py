"""ParleyError: the one root of the exceptions Parley raises on purpose.

Catching `ParleyError` at an adapter's edge answers every error a person or an operator can
cause with its message, and lets anything else (a bug) reach the error handler with its
traceback. The tree:

    ParleyError
    ├── ConfigError              bot.config: a setting is missing or invalid (one line, named)
    ├── CommandError             bot.cli.common: a CLI command can't do what was asked
    ├── ContentError             bot.wiring: the dialogue content folder can't be loaded
    ├── EngineError              bot.engine.errors
    │   ├── ScriptError          dialogue content is invalid (file, question and field named)
    │   └── UnknownScriptError   a session's script is not loaded
    ├── CourseError              bot.courses.types: an instructor action is refused
    │   ├── InvalidInputError    a name or id that can't be used
    │   ├── NotAnInstructorError
    │   └── CohortNotFoundError  bot.courses.admin
    ├── DuplicateRouteError      bot.coach.router: two features claim one command or button
    ├── WebSetupError            bot.web.serve: the review site can't start as configured
    ├── FormError                bot.web.forms: a posted form is malformed
    ├── BodyTooLargeError        bot.telegram.webhook: a webhook body over the limit
    └── MalformedResponseError   bot.telegram.http.response: the Bot API answered garbage

`storage` keeps its own root, `storage.errors.StorageError`, because it must not import `bot`.
"""

from __future__ import annotations


class ParleyError(Exception):
    """Something Parley refuses on purpose; the message says what and how to fix it."""


__all__ = ["ParleyError"]
