"""The `record:` map of a follow-up script (the debrief): which question fills which field.

The export's `debrief` section and /progress read a debrief's answers only through this map,
so a script author can rename, reword or reorder questions without touching code. Checked when
the script loads: every name is a real question of the right kind.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from bot.engine.errors import ScriptError

PROVED = ("yes", "partly", "no", "unsure")
"""What a "did this trap show up?" answer may store."""

_KINDS = {
    "ratings": "scale",
    "proved": "choice",
    "wrong_assumption": "choice",
    "wrong_assumption_text": "text",
    "change_next_time": "text",
}


class Record(BaseModel):
    """outcome: name -> question (any kind); ratings: name -> scale question; proved: lesson
    id -> choice question with PROVED values; wrong_assumption: a choice whose values are
    lesson ids (or anything else for "none"/"other"), wrong_assumption_text: the typed
    "something else"; change_next_time: a text question."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    outcome: dict[str, str] = Field(default_factory=dict)
    ratings: dict[str, str] = Field(default_factory=dict)
    proved: dict[str, str] = Field(default_factory=dict)
    wrong_assumption: str | None = None
    wrong_assumption_text: str | None = None
    change_next_time: str | None = None

    def fields(self) -> list[tuple[str, str]]:
        """(field path, question id) for every question the record names."""
        named = [(f"outcome.{k}", q) for k, q in self.outcome.items()]
        named += [(f"ratings.{k}", q) for k, q in self.ratings.items()]
        named += [(f"proved.{k}", q) for k, q in self.proved.items()]
        for name in ("wrong_assumption", "wrong_assumption_text", "change_next_time"):
            value = getattr(self, name)
            if value is not None:
                named.append((name, value))
        return named

    def check(self, questions: Mapping[str, tuple[str, set[str]]], source: str) -> None:
        """`questions`: id -> (kind, option values). Names the field of the first mistake."""
        for field, qid in self.fields():
            if qid not in questions:
                raise ScriptError(source, None, f"record.{field}", f"unknown question {qid!r}")
            kind, values = questions[qid]
            wanted = _KINDS.get(field.split(".")[0])
            if wanted is not None and kind != wanted:
                raise ScriptError(
                    source, None, f"record.{field}", f"{qid!r} must be a {wanted} question"
                )
            if field.startswith("proved.") and not values <= set(PROVED):
                raise ScriptError(
                    source,
                    None,
                    f"record.{field}",
                    f"the options of {qid!r} must have the values {', '.join(PROVED)}",
                )
