"""The coaching content as one validated bundle: scripts, lessons and templates.

Loaded once at start-up by every adapter. The content folder's dialogue scripts are its
`*.yaml` files other than lessons.yaml and messages.yaml: coach.yaml is the default (what /new
opens), others are reached by id (debrief.yaml, `id: debrief`). Each session records its script
id, and `Content.for_script` gives the content of that script, sharing the lessons, phrases and
templates. Loading validates every script (the checks `python -m bot dialogues validate` runs)
and renders every prompt once, so a template typo is caught by the author rather than a user.

Slightly over 300 lines: the bundle's loading and its cross-checks (phrases, cues, templates)
belong together so that one call validates everything an author changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateError

from bot.engine import debrief
from bot.engine.answers import choices
from bot.engine.conditions import UNKNOWN, WORDS, Condition, use_cues
from bot.engine.cues import load_cues
from bot.engine.errors import ScriptError, UnknownScriptError
from bot.engine.lessons import Finding, LessonBook, check_rules_against, evaluate, load_lessons
from bot.engine.machine import Conversation, Dialogue
from bot.engine.phrases import REQUIRED, Phrases
from bot.engine.rehearsal import RehearsalBook, load_rehearsal, material
from bot.engine.rehearsal import check_templates as check_rehearsal_templates
from bot.engine.render import FORMATS, Format, Renderer, short_name
from bot.engine.script import Script, load_script
from bot.engine.yaml_files import read_yaml

DIALOGUES_DIR = Path(__file__).resolve().parents[2] / "dialogues"
NOT_SCRIPTS = ("lessons.yaml", "messages.yaml", "cues.yaml", "rehearsal.yaml")
AHEAD_CACHE = 4096
"""Counter walks kept (each a short key); emptied when full."""
OTHER_SIDE = "the other side"
"""What `name` says in prompts and advice when the person has not named their counterpart."""
"""YAML files of a content folder that are not dialogue scripts."""


@dataclass(frozen=True)
class Prompt:
    """A question ready to show: text, options as (value, label), and progress."""

    question: str
    kind: str
    text: str
    options: tuple[tuple[str, str], ...]
    position: int
    """The question's place in the file: what its buttons carry, stable across paths."""
    step: int
    """The person's own counter: how many questions they have been asked, this one included."""
    about: int
    """About how many questions their path has in all (`Content.progress`)."""


class Content:
    """One script with its lessons, phrases and renderer; read-only after construction.

    `others` are the folder's further scripts: each gets its own `Content` (and its own shared
    Machine), reached from any of them with `for_script(id)`."""

    def __init__(
        self,
        script: Script,
        book: LessonBook,
        renderer: Renderer,
        phrases: dict[str, str],
        others: tuple[Script, ...] = (),
    ) -> None:
        self.script = script
        self.book = book
        self.renderer = renderer
        self.phrases = phrases
        self.engine_phrases = Phrases(phrases, renderer)
        """The engine's own words (re-asks, "I don't know"), from the same phrases."""
        self.dialogue = Dialogue(script, self.engine_phrases)
        self._branches: dict[str, tuple[tuple[Condition | None, str], ...]] = {
            q.id: ((None, q.next),)
            if isinstance(q.next, str)
            else tuple((b.when, b.goto) for b in q.next)
            for q in script.questions
        }
        """Each question's way out as plain tuples: the counter walks them on every question
        asked, and a pydantic model's attribute reads cost ~20x more."""
        conditions = [when for ways in self._branches.values() for when, _ in ways if when]
        self._read_by_branches = tuple(
            sorted(set().union(*(c.questions() | c.contexts() for c in conditions)))
        )
        """The answers and context keys any branch reads: with the state, they decide the walk."""
        self._ahead: dict[tuple[str, str], int] = {}
        """The counter's walks, by state and the answers branches read (a few dozen paths)."""
        self._family: dict[str, Content] = {script.id: self}
        self._context_keys: frozenset[str] | None = None
        self.rehearsal: RehearsalBook | None = None
        """dialogues/rehearsal.yaml, shared by the family (None: the folder has none)."""
        for other in others:
            if other.id in self._family:
                raise ValueError(f"two scripts have the id {other.id!r}")
            sibling = Content(other, book, renderer, phrases)
            sibling._family = self._family
            self._family[other.id] = sibling

    @property
    def script_ids(self) -> tuple[str, ...]:
        """Every loaded script's id, the default (the bundle's first) first."""
        return tuple(self._family)

    def has_script(self, script_id: str) -> bool:
        return script_id in self._family

    def for_script(self, script_id: str) -> Content:
        """The content of the script a session was started on; a clear error if not loaded."""
        found = self._family.get(script_id)
        if found is None:
            raise UnknownScriptError(script_id, self.script_ids)
        return found

    def follow_up(self) -> Content | None:
        """The script that follows this one (its debrief), if the folder has one."""
        return next((c for c in self._family.values() if c.script.follows == self.script.id), None)

    @property
    def context_keys(self) -> frozenset[str]:
        """The context keys a session of this script is started with (none unless it follows
        another script)."""
        if self._context_keys is None:
            self._context_keys = frozenset(_context_keys(self))
        return self._context_keys

    def say(self, key: str, fmt: Format, **context: Any) -> str:
        """A phrase from dialogues/messages.yaml, rendered for one format."""
        return self.renderer.inline(self.phrases[key], fmt, **context)

    def context(self, conversation: Conversation) -> dict[str, Any]:
        """What a prompt may read: `answers` (as shown), `lessons` (by id) and, for a script
        that follows another, the context it was started with (`prep`, bot.engine.debrief)."""
        shown = {q.id: "" for q in self.script.questions}
        shown.update(
            (q, text) for q, text in conversation.shown.items() if not debrief.is_context_key(q)
        )
        given = dict.fromkeys(self.context_keys, "")
        given.update((k, v) for k, v in conversation.shown.items() if debrief.is_context_key(k))
        lessons = {lesson.id: lesson for lesson in self.book.lessons}
        named = self.script.counterpart
        value = conversation.values.get(named) if named is not None else None
        name = short_name(shown.get(named, "")) if named and value not in (None, UNKNOWN) else ""
        known = dict.fromkeys(shown, "")
        known.update(
            (q, shown[q])
            for q, v in conversation.answered_on_path().items()
            if q in known and v not in (None, UNKNOWN)
        )
        return {
            **debrief.nested(given),
            "answers": shown,
            "known": known,
            "lessons": lessons,
            "name": name or OTHER_SIDE,
        }

    def prompt(self, question_id: str, fmt: Format, conversation: Conversation) -> Prompt:
        question = self.script.question(question_id)
        context = self.context(conversation) if "{" in question.prompt else {}
        text = self.renderer.inline(question.prompt, fmt, **context)
        step, about = self.progress(conversation)
        return Prompt(
            question=question.id,
            kind=question.kind,
            text=text,
            options=tuple(choices(question, self.engine_phrases)),
            position=self.script.position(question.id),
            step=step,
            about=about,
        )

    def progress(self, conversation: Conversation) -> tuple[int, int]:
        """(this question's number on the person's path, about how many the path has): the
        questions answered on the way here plus those the answers so far lead to, so the count
        never skips a number and never counts a branch the person won't see."""
        step = len(conversation.path) + 1
        read = repr([conversation.values.get(q) for q in self._read_by_branches])
        key = (conversation.state, read)
        ahead = self._ahead.get(key)
        if ahead is None:
            if len(self._ahead) >= AHEAD_CACHE:
                self._ahead.clear()
            ahead = self._ahead[key] = self._questions_ahead(conversation)
        return step, step + max(ahead, 1) - 1

    def _questions_ahead(self, conversation: Conversation) -> int:
        """Questions left from the current one (itself included) to the end, on the path the
        answers so far lead to: each question's first branch that holds, else its default.
        A question ahead is not answered yet, so its own earlier answer (kept after /back, or
        from a loop such as "back to the short version") does not choose its branch."""
        values, branches = dict(conversation.values), self._branches
        count, current, most = 0, conversation.state, len(branches)
        while count < most and current in branches:  # `most`: bounds any loop
            count += 1
            values.pop(current, None)
            for when, goto in branches[current]:  # the last branch has no `when`: it is taken
                if when is None or when.holds(values):
                    current = goto
                    break
        return count

    def prompt_texts(self, conversation: Conversation) -> Mapping[str, str]:
        """Plain-text prompts for evidence: the question as the user saw it (rendered only
        for the questions a report actually quotes)."""
        return _PromptTexts(self, conversation)

    def findings(self, conversation: Conversation) -> list[Finding]:
        """Lesson verdicts; a script without rules (a debrief) judges nothing and has none."""
        if not self.script.rules:
            return []
        values = conversation.answered_on_path()
        shown = {q: s for q, s in conversation.shown.items() if q in values}
        values |= {q + WORDS: w for q, w in conversation.words.items() if q in shown}
        context = self.context(conversation)

        def say(source: str) -> str:
            return self.renderer.inline(source, "text", **context)

        prompts = _PromptTexts(self, conversation, context)
        return evaluate(self.script, self.book, values, shown, prompts, say)


class _PromptTexts(Mapping[str, str]):
    """Renders a question's prompt on first access and keeps it."""

    def __init__(
        self,
        content: Content,
        conversation: Conversation,
        context: dict[str, Any] | None = None,
    ) -> None:
        self._content = content
        self._conversation = conversation
        self._done: dict[str, str] = {}
        self._context = context  # built on first need unless the caller has it already

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


def script_files(root: Path) -> list[Path]:
    """The dialogue scripts of a content folder, in name order."""
    return sorted(p for p in root.glob("*.yaml") if p.name not in NOT_SCRIPTS)


def load_content(
    root: Path = DIALOGUES_DIR, script_name: str = "coach.yaml", replace: Path | None = None
) -> Content:
    """Every script of `root` (`script_name` the default), validated with the lessons, phrases
    and templates. `replace`: a script file checked in place of the folder's script with the
    same id (or beside them), for `dialogues validate FILE`."""
    book = load_lessons(root / "lessons.yaml")
    if (root / "cues.yaml").exists():
        use_cues(load_cues(root / "cues.yaml"))
    default_path = root / script_name
    paths = script_files(root)
    if default_path not in paths:
        paths.append(default_path)  # load_script names the missing file
    scripts = [(path, load_script(path)) for path in paths]
    default_at = paths.index(default_path)
    if replace is not None:
        extra = load_script(replace)
        same = [i for i, (_p, s) in enumerate(scripts) if s.id == extra.id]
        if same:
            scripts[same[0]] = (replace, extra)
        else:
            scripts.append((replace, extra))
    first: dict[str, Path] = {}
    for path, script in scripts:
        if first.setdefault(script.id, path) != path:
            raise ScriptError(str(path), None, "id", f"{first[script.id]} has the same id")
    default = scripts[default_at][1]
    others = tuple(s for i, (_p, s) in enumerate(scripts) if i != default_at)
    content = Content(default, book, Renderer(root / "templates"), load_phrases(root), others)
    for path, script in scripts:
        loaded = content.for_script(script.id)
        check_rules_against(script, book, str(path))
        check_follow_up(loaded, str(path))
        check_templates(loaded, str(path))
    if (root / "rehearsal.yaml").exists():
        _load_rehearsal(content, root / "rehearsal.yaml")
    return content


def _load_rehearsal(content: Content, path: Path) -> None:
    """Load rehearsal.yaml against the script it rehearses, and share it with the family."""
    lessons = [lesson.id for lesson in content.book.lessons]
    raw = read_yaml(path)
    raw_script = raw.get("script", "") if isinstance(raw, dict) else ""
    if not content.has_script(str(raw_script)):
        raise ScriptError(str(path), None, "script", f"no loaded script has the id {raw_script!r}")
    prepared = content.for_script(str(raw_script))
    book = load_rehearsal(path, lessons, [q.id for q in prepared.script.questions])
    sample = Conversation(state=prepared.script.start)
    sample.shown = {q.id: f"<{q.id}>" for q in prepared.script.questions}
    check_rehearsal_templates(book, content.renderer, material(prepared.context(sample)))
    for member in content._family.values():
        member.rehearsal = book


def load_phrases(root: Path) -> dict[str, str]:
    """dialogues/messages.yaml: every key a template string, and every phrase the code asks
    for by name (bot.engine.phrases.REQUIRED) present."""
    source = root / "messages.yaml"
    raw = read_yaml(source)
    if not isinstance(raw, dict):
        raise ScriptError(str(source), None, "(file)", "expected a mapping of name: text")
    for key, value in raw.items():
        if not isinstance(value, str) or not value.strip():
            raise ScriptError(str(source), f"phrase {key!r}", "text", "must be non-empty text")
    for key in REQUIRED:
        if key not in raw:
            raise ScriptError(
                str(source), f"phrase {key!r}", "text", "missing: Parley needs this phrase"
            )
    return {str(k): str(v) for k, v in raw.items()}


def _context_keys(content: Content) -> set[str]:
    followed = content.script.follows
    if followed is None or not content.has_script(followed):
        return set()
    lesson_ids = [lesson.id for lesson in content.book.lessons]
    return debrief.context_keys(content.for_script(followed).script, lesson_ids)


def check_follow_up(content: Content, source: str) -> None:
    """A script that follows another names a loaded script, reads only the context keys it is
    given, and records "did it prove true?" only for the five lessons."""
    script = content.script
    if script.follows is not None and not content.has_script(script.follows):
        raise ScriptError(
            source, None, "follows", f"no loaded script has the id {script.follows!r}"
        )
    known = _context_keys(content)
    conditions = [
        (f"question {q.id!r}", f"next.{index}.when", branch.when)
        for q in script.questions
        if isinstance(q.next, tuple)
        for index, branch in enumerate(q.next)
    ]
    conditions += [(f"rule {rule.id!r}", "when", rule.when) for rule in script.rules]
    for entry, field, condition in conditions:
        for key in sorted(condition.contexts() if condition is not None else ()):
            if key not in known:
                raise ScriptError(source, entry, field, f"unknown context key {key!r}")
    lesson_ids = {lesson.id for lesson in content.book.lessons}
    for lesson_id in script.record.proved if script.record else {}:
        if lesson_id not in lesson_ids:
            raise ScriptError(
                source, None, f"record.proved.{lesson_id}", f"unknown lesson {lesson_id!r}"
            )


def check_templates(content: Content, source: str) -> None:
    """Render every prompt in every format with placeholder answers and context."""
    sample = Conversation(state=content.script.start)
    sample.shown = {q.id: f"<{q.id}>" for q in content.script.questions}
    sample.shown.update({key: f"<{key}>" for key in _context_keys(content)})
    for question in content.script.questions:
        for fmt in FORMATS:
            try:
                content.prompt(question.id, fmt, sample)
            except TemplateError as exc:
                raise ScriptError(source, f"question {question.id!r}", "prompt", str(exc)) from None
    context = content.context(sample)
    texts = [(f"rule {r.id!r}", "explain", r.explain) for r in content.script.rules]
    texts += [(f"rule {r.id!r}", "advice", r.advice) for r in content.script.rules]
    texts += [(f"strength {r.id!r}", "says", r.says) for r in content.script.strengths]
    if content.script.rules:  # the lessons' advice speaks of a judged script's answers
        for lesson in content.book.lessons:
            for field in ("advice", "action", "gap_action"):
                texts.append((f"lesson {lesson.id!r}", field, getattr(lesson, field)))
    for entry, field, text in texts:
        try:
            content.renderer.inline(text, "text", **context)
        except TemplateError as exc:
            raise ScriptError(source, entry, field, str(exc)) from None
