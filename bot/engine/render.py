"""Jinja2 rendering for prompts, reports and exports.

Templates come only from files (the YAML scripts and dialogues/templates/); what a user typed
is only ever a variable, so `{{ 7*7 }}` in an answer is shown literally. Environments are
sandboxed with StrictUndefined so that a template mistake fails loudly in `dialogues validate`
and in tests, not quietly in front of a user. Formats:

    text  plain text for the console (no escaping)
    html  Telegram HTML and full HTML pages (autoescaped)
    md    Markdown exports: every value escaped for Markdown (`md_escape`), so user text shows
          as typed (an apostrophe stays an apostrophe) and user HTML or Markdown stays inert
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


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))(?=\s|$)", re.MULTILINE)


def md_escape(value: object) -> str:
    """A value as literal Markdown text: the characters that start emphasis, code, links,
    HTML, headings, tables or entities get a backslash, as does a list or heading marker at
    the start of a line. Rendered, it reads exactly as typed."""
    text = _MD_SPECIAL.sub(r"\\\1", str(value))
    return _MD_LINE_START.sub(_escape_marker, text)


def _escape_marker(found: re.Match[str]) -> str:
    """ "- x" → "\\- x"; "1. x" → "1\\. x" (a backslash before a digit escapes nothing)."""
    indent, bullet, number, mark = found.groups()
    return f"{indent}\\{bullet}" if bullet else f"{indent}{number}\\{mark}"


def _environment(templates: Path, escape: bool, markdown: bool = False) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(templates)),
        autoescape=escape,
        finalize=md_escape if markdown else None,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["quote"] = lambda text: f"“{text}”"
    env.filters["short_name"] = short_name
    env.filters["upfirst"] = lambda text: str(text)[:1].upper() + str(text)[1:]
    return env


_ABBREVIATION = re.compile(r"\b(mr|mrs|ms|mx|dr|prof|st|jr|sr|co|inc|ltd|corp|vs)\.", re.I)
_FIRST_PHRASE = re.compile(r"[.,;:!?\n()\[\]]|\s[-–—/]\s|\s(?:but|who|which|plus|and also)\s")
_PERSON = re.compile(r"(?:(?:Mr|Mrs|Ms|Mx|Dr|Prof)\.? )?[A-Z][\w'-]*(?: [A-Z][\w'-]*){0,2}")
_OWNERS = {"my": "your", "our": "your", "mine": "yours"}
_LOWER = ("the", "a", "an", "their", "his", "her", "its", "this", "that")
SHORT_NAME_WORDS = 6


def short_name(text: object) -> str:
    """The first phrase of an answer naming someone, fit to use inside a sentence:
    "The owner of the workshop. It's a small family business." → "the owner of the workshop",
    "My landlord, Mr. Okafor" → "your landlord"; "" when it is longer than a few words."""
    if not isinstance(text, str) or not text.strip():
        return ""
    kept = _ABBREVIATION.sub(lambda m: m.group(0)[:-1] + "\x00", text.strip())
    phrases = [p.replace("\x00", ".").strip(" -–—\"'“”") for p in _FIRST_PHRASE.split(kept, 2)]
    first = phrases[0]
    if len(phrases) > 1 and _PERSON.fullmatch(phrases[1]) and not _PERSON.fullmatch(first):
        first = phrases[1]  # "My landlord, Mr. Okafor": the name is the shorter way to say it
    words = first.split()
    if not words or len(words) > SHORT_NAME_WORDS or len(first) > 48:
        return ""
    lead = words[0].casefold()
    if lead in _OWNERS:
        words[0] = _OWNERS[lead]
    elif lead in _LOWER:
        words[0] = lead
    return " ".join(words)


class Renderer:
    """Compiles each template once per format and renders it with a given context."""

    def __init__(self, templates: Path) -> None:
        self.templates = templates
        self._envs: dict[Format, SandboxedEnvironment] = {
            "text": _environment(templates, escape=False),
            "html": _environment(templates, escape=True),
            "md": _environment(templates, escape=False, markdown=True),
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
            # Jinja copies a template's globals into every render's context; from_string
            # gives a ChainMap over the environment's globals, slow to copy (~15 % of a
            # report's findings, `make bench`). Nothing changes those globals after
            # `_environment`, so a plain dict of the same entries renders the same.
            template.globals = dict(template.globals)
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
        # One line longer than the limit: cut its visible text, never a tag or an entity
        # (`<b>`, `&amp;`); such a line loses its formatting rather than break the message.
        plain = to_plain(text)
        return [
            html.escape(plain[at : at + limit], quote=False) for at in range(0, len(plain), limit)
        ]
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
