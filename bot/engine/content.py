"""The coaching content as one validated bundle: script, lessons and templates.

Loaded once at start-up by every adapter; `validate_file` is what `python -m bot dialogues
validate` runs, and it also renders every prompt once so a template typo is caught by the author
rather than by a user.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateError

from bot.engine.answers import choices
from bot.engine.errors import ScriptError
from bot.engine.lessons import Finding, LessonBook, check_rules_against, evaluate, load_lessons
from bot.engine.machine import Conversation, Dialogue
from bot.engine.render import FORMATS, Format, Renderer
from bot.engine.script import Script, load_script, read_yaml

DIALOGUES_DIR = Path(__file__).resolve().parents[2] / "dialogues"


@dataclass(frozen=True)
class Prompt:
    """A question ready to show: text, options as (value, label), and progress."""

    question: str
    kind: str
    text: str
    options: tuple[tuple[str, str], ...]
    position: int
    total: int


class Content:
    """One script with its lessons, phrases and renderer; read-only after construction."""

    def __init__(
        self, script: Script, book: LessonBook, renderer: Renderer, phrases: dict[str, str]
    ) -> None:
        self.script = script
        self.book = book
        self.renderer = renderer
        self.phrases = phrases
        self.dialogue = Dialogue(script)

    def say(self, key: str, fmt: Format, **context: Any) -> str:
        """A phrase from dialogues/messages.yaml, rendered for one format."""
        return self.renderer.inline(self.phrases[key], fmt, **context)

    def context(self, conversation: Conversation) -> dict[str, Any]:
        shown = {q.id: "" for q in self.script.questions}
        shown.update(conversation.shown)
        return {"answers": shown}

    def prompt(self, question_id: str, fmt: Format, conversation: Conversation) -> Prompt:
        question = self.script.question(question_id)
        text = self.renderer.inline(question.prompt, fmt, **self.context(conversation))
        return Prompt(
            question=question.id,
            kind=question.kind,
            text=text,
            options=tuple(choices(question)),
            position=self.script.position(question.id),
            total=len(self.script.questions),
        )

    def prompt_texts(self, conversation: Conversation) -> Mapping[str, str]:
        """Plain-text prompts for evidence: the question as the user saw it (rendered only
        for the questions a report actually quotes)."""
        return _PromptTexts(self, conversation)

    def findings(self, conversation: Conversation) -> list[Finding]:
        values = conversation.answered_on_path()
        shown = {q: s for q, s in conversation.shown.items() if q in values}
        return evaluate(self.script, self.book, values, shown, self.prompt_texts(conversation))


class _PromptTexts(Mapping[str, str]):
    """Renders a question's prompt on first access and keeps it."""

    def __init__(self, content: Content, conversation: Conversation) -> None:
        self._content = content
        self._conversation = conversation
        self._done: dict[str, str] = {}
        self._context: dict[str, Any] | None = None

    def __getitem__(self, question_id: str) -> str:
        if question_id not in self._done:
            if not self._content.script.has_question(question_id):
                raise KeyError(question_id)
            if self._context is None:
                self._context = self._content.context(self._conversation)
            source = self._content.script.question(question_id).prompt
            self._done[question_id] = self._content.renderer.inline(source, "text", **self._context)
        return self._done[question_id]

    def __iter__(self) -> Iterator[str]:
        return iter(q.id for q in self._content.script.questions)

    def __len__(self) -> int:
        return len(self._content.script.questions)


def load_content(root: Path = DIALOGUES_DIR, script_name: str = "coach.yaml") -> Content:
    book = load_lessons(root / "lessons.yaml")
    script = load_script(root / script_name)
    check_rules_against(script, book, str(root / script_name))
    content = Content(script, book, Renderer(root / "templates"), load_phrases(root))
    check_templates(content, str(root / script_name))
    return content


def load_phrases(root: Path) -> dict[str, str]:
    """dialogues/messages.yaml: every key a template string."""
    source = root / "messages.yaml"
    raw = read_yaml(source)
    if not isinstance(raw, dict):
        raise ScriptError(str(source), None, "(file)", "expected a mapping of name: text")
    for key, value in raw.items():
        if not isinstance(value, str) or not value.strip():
            raise ScriptError(str(source), f"phrase {key!r}", "text", "must be non-empty text")
    return {str(k): str(v) for k, v in raw.items()}


def check_templates(content: Content, source: str) -> None:
    """Render every prompt in every format with placeholder answers."""
    sample = Conversation(state=content.script.start)
    sample.shown = {q.id: f"<{q.id}>" for q in content.script.questions}
    for question in content.script.questions:
        for fmt in FORMATS:
            try:
                content.prompt(question.id, fmt, sample)
            except TemplateError as exc:
                raise ScriptError(source, f"question {question.id!r}", "prompt", str(exc)) from None
