"""Draw a script as a Mermaid flowchart, branch conditions on the edges."""

from __future__ import annotations

from bot.engine.conditions import Condition
from bot.engine.script import END, Script


def describe(condition: Condition) -> str:
    """A short, readable rendering of a condition for edge labels."""
    if condition.all_ is not None:
        return " and ".join(describe(c) for c in condition.all_)
    if condition.any_ is not None:
        return " or ".join(describe(c) for c in condition.any_)
    if condition.not_ is not None:
        return f"not ({describe(condition.not_)})"
    subject = condition.answer if condition.answer is not None else condition.context
    for name, symbol in (
        ("equals", "="),
        ("in_", "in"),
        ("gte", ">="),
        ("lte", "<="),
        ("gte_answer", ">="),
        ("lte_answer", "<="),
        ("cue", "is"),
        ("unknown", "unknown:"),
        ("answered", "answered:"),
    ):
        value = getattr(condition, name)
        if value is not None:
            shown = "/".join(map(str, value)) if isinstance(value, tuple) else str(value).lower()
            return f"{subject} {symbol} {shown}"
    return str(subject)


def _label(text: str) -> str:
    return text.replace('"', "'").replace("|", "/")


def mermaid(script: Script) -> str:
    lines = ["flowchart TD"]
    for question in script.questions:
        lines.append(f'  {question.id}["{question.id}<br/>{question.kind}"]')
    lines.append(f'  {END}(["report"])')
    for question in script.questions:
        if isinstance(question.next, str):
            lines.append(f"  {question.id} --> {question.next}")
            continue
        for branch in question.next:
            if branch.when is None:
                lines.append(f"  {question.id} -->|otherwise| {branch.goto}")
            else:
                lines.append(
                    f'  {question.id} -->|"{_label(describe(branch.when))}"| {branch.goto}'
                )
    return "\n".join(lines) + "\n"
