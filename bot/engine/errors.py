"""Errors of the dialogue engine.

EngineError
 ├── ScriptError          a dialogue script or lessons file is invalid (names file, entry, field)
 └── UnknownScriptError   a session was started on a script that is not loaded
"""

from __future__ import annotations

from bot.errors import ParleyError


class EngineError(ParleyError):
    """Root of everything the engine raises on purpose."""


class ScriptError(EngineError):
    """A content file is wrong; the message names the file, the entry and the field."""

    def __init__(self, source: str, entry: str | None, field: str, message: str) -> None:
        self.source = source
        self.entry = entry
        self.field = field
        self.message = message
        self.problems: list[ScriptError] = [self]
        where = f"{source}: {entry}, field '{field}'" if entry else f"{source}: field '{field}'"
        super().__init__(f"{where}: {message}")

    @classmethod
    def many(cls, problems: list[ScriptError]) -> ScriptError:
        """One error standing for several, so authors see every problem in one run."""
        first = problems[0]
        combined = cls(first.source, first.entry, first.field, first.message)
        combined.problems = problems
        combined.args = ("\n".join(str(p) for p in problems),)
        return combined


class UnknownScriptError(EngineError):
    """A session names a script the loaded content does not have (removed or renamed)."""

    def __init__(self, script_id: str, loaded: tuple[str, ...]) -> None:
        self.script_id = script_id
        super().__init__(
            f"no dialogue script {script_id!r} is loaded (loaded: {', '.join(loaded)})"
        )
