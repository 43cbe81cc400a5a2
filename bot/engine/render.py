"""Jinja2 rendering for prompts, reports and exports.

Templates come only from files (the YAML scripts and dialogues/templates/); what a user typed
is only ever a variable, so `{{ 7*7 }}` in an answer is shown literally. Environments are
sandboxed with StrictUndefined so that a template mistake fails loudly in `dialogues validate`
and in tests, not quietly in front of a user. Formats:

    text  plain text for the console (no escaping)
    html  Telegram HTML and full HTML pages (autoescaped)
    md    Markdown exports (autoescaped, so user HTML stays inert)
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any, Literal

from jinja2 import FileSystemLoader, StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

Format = Literal["text", "html", "md"]
FORMATS: tuple[Format, ...] = ("text", "html", "md")


def _environment(templates: Path, escape: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(templates)),
        autoescape=escape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["quote"] = lambda text: f"“{text}”"
    return env


class Renderer:
    """Compiles each template once per format and renders it with a given context."""

    def __init__(self, templates: Path) -> None:
        self.templates = templates
        self._envs: dict[Format, SandboxedEnvironment] = {
            "text": _environment(templates, escape=False),
            "html": _environment(templates, escape=True),
            "md": _environment(templates, escape=True),
        }
        self._inline: dict[tuple[Format, str], Template] = {}

    def inline(self, source: str, fmt: Format, **context: Any) -> str:
        """Render a template written in a script file (a question prompt)."""
        if "{" not in source:
            # No template syntax: Jinja would return the literal text unchanged (autoescape
            # only touches variables), so skip building a render context (~45 µs here).
            return source.strip()
        key = (fmt, source)
        template = self._inline.get(key)
        if template is None:
            template = self._envs[fmt].from_string(source)
            self._inline[key] = template
        return template.render(**context).strip()

    def file(self, name: str, fmt: Format, **context: Any) -> str:
        """Render dialogues/templates/<name> (the environment caches compiled templates)."""
        return self._envs[fmt].get_template(name).render(**context).strip()


_TAG = re.compile(r"<[^>]+>")


def to_plain(markup: str) -> str:
    """Telegram HTML back to the text a reader saw (for transcripts and previews)."""
    return html.unescape(_TAG.sub("", markup))


def split_message(text: str, limit: int = 4096) -> list[str]:
    """Split at paragraph boundaries (then lines, then hard) so each part fits `limit`.

    Length is measured on the visible text, as Telegram counts after parsing entities; a
    paragraph is never cut inside a tag because tags are opened and closed within one line.
    """
    return _pack(text, ("\n\n", "\n"), limit)


def _pack(text: str, separators: tuple[str, ...], limit: int) -> list[str]:
    if len(to_plain(text)) <= limit:
        return [text]
    if not separators:
        return [text[start : start + limit] for start in range(0, len(text), limit)]
    separator, finer = separators[0], separators[1:]
    parts: list[str] = []
    current = ""
    for piece in text.split(separator):
        candidate = f"{current}{separator}{piece}" if current else piece
        if len(to_plain(candidate)) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        *whole, current = _pack(piece, finer, limit)
        parts.extend(whole)
    if current:
        parts.append(current)
    return parts
