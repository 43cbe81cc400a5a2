"""Every sentence a person reads is in the content files, not in Python.

A coached person, a student or an instructor reads Parley through Telegram, the console or the
review site, and all of it comes from dialogues/messages.yaml (and the scripts, lessons and
dialogues/templates/) or from the site's templates in bot/web/templates/. A second language is
then a second set of content files, not a code change. This test walks bot/ with `ast` and
fails, naming file:line, for each string literal that reads like an English sentence.

What reads like a sentence (`looks_like_prose`): at least two words of two or more letters with
a space between them, and either a capitalised word ("Hello"), sentence punctuation at the end
(. ! ? : …) or four words or more. An f-string counts as its text with `{}` for each
placeholder. Two lower-case words ("a sticker") are below the bar: the checker stays quiet
rather than flag every identifier-like pair, so short labels rely on review.

Not user-facing, and so not checked:
- bot/cli/: the operator CLI's output stays in Python. Its readers are operators, not coached
  people, and its errors must stay one line naming the setting or argument to fix; it is not
  translated with the content.
- docstrings and bare string statements (attribute docstrings);
- arguments of calls on `log`, `logger`, `logging` and `warnings` (log lines are for operators);
- everything under a `raise`, an `assert`, and in the body of an exception class (`...Error`):
  exception messages are for operators and content authors (a person meets a refusal from
  messages.yaml; a feature catches the exception and says its phrase);
- argparse's `ArgumentParser`, `add_parser`, `add_argument` (help of an operator command);
- SQL (a literal starting with SELECT, INSERT, UPDATE, DELETE or WITH);
- ALLOWED below: a few literals, each with its reason.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.engine.content import DIALOGUES_DIR
from bot.engine.phrases import REQUIRED
from bot.telegram.handlers import MEDIA
from bot.telegram.menus import ADMIN
from bot.web import site
from tests.e2e.console_process import run_bot

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
OPERATOR_ONLY = ("cli",)
"""Packages of bot/ whose output is for operators only (see the module docstring)."""

ALLOWED: dict[tuple[str, str], str] = {
    # (file relative to the repository, the literal's start): why it is not user-facing
    (
        "bot/telegram/metrics.py",
        "Updates handled, by kind.",
    ): "a metric's HELP text, read by monitoring",
    (
        "bot/telegram/metrics.py",
        "From receiving an update to",
    ): "a metric's HELP text, read by monitoring",
    (
        "bot/telegram/metrics.py",
        "Bot API calls that failed,",
    ): "a metric's HELP text, read by monitoring",
    (
        "bot/telegram/metrics.py",
        "Updates that failed or were",
    ): "a metric's HELP text, read by monitoring",
    (
        "bot/telegram/metrics.py",
        "Messages committed but not",
    ): "a metric's HELP text, read by monitoring",
    (
        "bot/telegram/metrics.py",
        "Time sends waited for",
    ): "a metric's HELP text, read by monitoring",
    ("bot/telegram/sender.py", "refused by Telegram"): "why an outbox row failed (operators)",
    ("bot/coach/service.py", "blocked by the user"): "why an outbox row failed (operators)",
    ("bot/web/security.py", "default-src "): "a Content-Security-Policy header",
    ("bot/web/serve.py", "WEB_SECRET_KEY is not set."): "a configuration error (operators)",
    ("bot/coach/charts.py", "usage: python -m bot.coach.charts"): "a developer's script",
    ("bot/engine/conditions.py", "^\\s*("): "cues matched in what a person types (input)",
    ("bot/engine/cues.py", "[~≈]?\\s*[$€£]?"): "a pattern matched in what a person types (input)",
    ("bot/engine/render.py", "[.,;:!?\\n()"): "where a short name ends in what a person typed",
}

_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
_CAPITALISED = re.compile(r"\b[A-Z][a-z'’]+\b")
_SQL = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b")
_LOGGERS = {"log", "logger", "logging", "warnings"}
_ARGPARSE = {"ArgumentParser", "add_parser", "add_argument", "add_argument_group"}


@dataclass(frozen=True)
class Literal:
    line: int
    text: str


def looks_like_prose(text: str) -> bool:
    """Whether `text` reads like a sentence or label meant for a person (see the docstring)."""
    stripped = text.strip()
    words = _WORD.findall(stripped)
    spaced = re.sub(r"\s+", " ", stripped.replace("{}", " "))
    if len(words) < 2 or not re.search(r"[A-Za-z'’]{2,} \S*[A-Za-z]", spaced):
        return False
    if _SQL.match(stripped):
        return False
    ends_like_a_sentence = stripped.rstrip('”")]').endswith((".", "!", "?", ":", "…"))
    return bool(_CAPITALISED.search(stripped)) or ends_like_a_sentence or len(words) >= 4


def _text_of(node: ast.Constant | ast.JoinedStr) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    return "".join(
        str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values
    )


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _on_logger(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in _LOGGERS
    )


def _says_nothing_to_people(node: ast.AST) -> bool:
    """A raise, an assert, an exception class, a log call or an argparse call."""
    if isinstance(node, (ast.Raise, ast.Assert)):
        return True
    if isinstance(node, ast.ClassDef):
        return node.name.endswith(("Error", "Exception"))
    return isinstance(node, ast.Call) and (_on_logger(node) or _called_name(node) in _ARGPARSE)


def _quiet_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes whose strings are not for people (docstrings, logs, raises, ...)."""
    quiet: set[int] = set()

    def silence(node: ast.AST) -> None:
        quiet.update(id(inner) for inner in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for statement in body:
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                    silence(statement)
        if _says_nothing_to_people(node):
            silence(node)
    return quiet


def prose_literals(source: str) -> list[Literal]:
    """The literals of one module that read like text for a person, outside the quiet places."""
    tree = ast.parse(source)
    quiet = _quiet_nodes(tree)
    inside_fstrings = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in quiet or id(node) in inside_fstrings:
            continue
        if isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str)
        ):
            text = _text_of(node)
            if looks_like_prose(text):
                found.append(Literal(node.lineno, text))
    return sorted(found, key=lambda literal: literal.line)


def _checked_files() -> list[Path]:
    return [
        path
        for path in sorted(BOT.rglob("*.py"))
        if path.relative_to(BOT).parts[0] not in OPERATOR_ONLY
    ]


def _allowed(relative: str, text: str) -> bool:
    return any(file == relative and text.startswith(start) for file, start in ALLOWED)


def test_no_user_facing_sentence_is_written_in_python() -> None:
    offending = []
    for path in _checked_files():
        relative = path.relative_to(ROOT).as_posix()
        for literal in prose_literals(path.read_text(encoding="utf-8")):
            if not _allowed(relative, literal.text):
                offending.append(f"{relative}:{literal.line}: {literal.text[:80]!r}")
    assert not offending, (
        "text a person reads belongs in dialogues/messages.yaml (Content.say) or the site's "
        "templates (bot/web/templates/messages.html, Site.say); not user-facing? add it to "
        "ALLOWED with the reason:\n" + "\n".join(offending)
    )


def test_every_allowance_is_still_needed() -> None:
    """An allowance whose literal is gone is removed, so the list stays small and true."""
    used = set()
    for path in _checked_files():
        relative = path.relative_to(ROOT).as_posix()
        for literal in prose_literals(path.read_text(encoding="utf-8")):
            used.update(
                (file, start)
                for file, start in ALLOWED
                if file == relative and literal.text.startswith(start)
            )
    assert set(ALLOWED) - used == set()


# ---- the checker itself ---------------------------------------------------------------------
def test_the_checker_finds_a_greeting_sent_from_python() -> None:
    source = 'def hello(turn):\n    turn.send("Hello there, welcome!")\n'
    assert prose_literals(source) == [Literal(2, "Hello there, welcome!")]


def test_the_checker_finds_sentences_in_fstrings_and_constants() -> None:
    source = (
        'NOTICE = "Your verdict is saved."\n'
        'def re_ask(n):\n    return f"There is no option {n}, try again"\n'
        'MENU = [("stop", "stop all of your reminders")]\n'
    )
    assert [literal.line for literal in prose_literals(source)] == [1, 3, 4]


def test_the_checker_leaves_out_what_no_person_reads() -> None:
    source = '''
"""A module docstring. It has sentences."""
import logging
log = logging.getLogger(__name__)
QUERY = "SELECT id FROM users WHERE name = :name"
KEY = "course_feedback_ask"
FORMAT = "%Y-%m-%d %H:%M"
WORDS = "a sticker"


class ShapeError(ValueError):
    def __init__(self, name):
        super().__init__(f"The shape {name} is not known.")


def run(parser, value):
    """Run it. Really."""
    log.info("Something happened, value=%s.", value)
    parser.add_argument("--user", help="Who is being coached.")
    assert value, "A value is needed here."
    if value < 0:
        raise ValueError(f"A value of {value} is negative.")
    return turn.info("session_complete", title=value)
'''
    assert prose_literals(source) == []


def test_prose_needs_two_words_and_a_sign_of_a_sentence() -> None:
    assert looks_like_prose("Hello there")
    assert looks_like_prose("This one can't be skipped.")
    assert looks_like_prose("begin, or continue where you left off")
    assert looks_like_prose("[Question {} of {}]")
    assert not looks_like_prose("Hello")
    assert not looks_like_prose("a sticker")
    assert not looks_like_prose("course_feedback_ask")
    assert not looks_like_prose("v1:a:{}:{}")
    assert not looks_like_prose("parley-session-{}.html")


# ---- phrases the code asks for exist ---------------------------------------------------------
def _phrase_keys() -> list[str]:
    source = DIALOGUES_DIR / "messages.yaml"
    return [
        match.group(1)
        for line in source.read_text(encoding="utf-8").splitlines()
        if (match := re.match(r"([a-z_0-9]+):", line))
    ]


def test_messages_yaml_names_each_phrase_once() -> None:
    """YAML keeps the last of two equal keys silently, so a new phrase must not reuse a name."""
    keys = _phrase_keys()
    assert sorted({k for k in keys if keys.count(k) > 1}) == []
    loaded = yaml.safe_load((DIALOGUES_DIR / "messages.yaml").read_text(encoding="utf-8"))
    assert sorted(keys) == sorted(loaded)


def test_phrases_read_by_a_computed_name_are_required() -> None:
    """The command menus (the admins' has every command) and the media names are checked
    when the content loads."""
    computed = {f"command_{name}" for name in ADMIN} | {f"media_{kind}" for _a, kind in MEDIA}
    computed |= {"media_forwarded", "media_other"}
    assert computed <= set(REQUIRED)
    assert set(REQUIRED) <= set(_phrase_keys())


_SAYERS = {"say", "info", "say_private", "say_long", "_refuse", "_fixed_reply", "notify", "_reask"}
_FORMATS = {"text", "html", "md"}


def _named_keys(path: Path) -> list[tuple[int, str]]:
    """(line, key) of each literal phrase name passed to a function that says a phrase."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, arg.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _called_name(node) in _SAYERS and not _on_logger(node)
        for arg in node.args
        if isinstance(arg, ast.Constant)
        and isinstance(arg.value, str)
        and re.fullmatch(r"[a-z][a-z_0-9]*", arg.value)
        and arg.value not in _FORMATS
    ]


def test_every_phrase_named_in_the_code_exists() -> None:
    """A literal key given to `say`, `info` and the features' helpers is in messages.yaml (the
    site's in its MESSAGES), so a typo fails here, not as a KeyError in front of a person."""
    keys = set(_phrase_keys())
    rehearsal = yaml.safe_load((DIALOGUES_DIR / "rehearsal.yaml").read_text(encoding="utf-8"))
    rehearsal_keys = keys | set(rehearsal["say"])  # the rehearsal's phrases live in its file
    missing = []
    for path in _checked_files():
        known = set(site.MESSAGES) if path.is_relative_to(BOT / "web") else keys
        if path.is_relative_to(BOT / "rehearsal"):
            known = rehearsal_keys
        missing += [
            f"{path.relative_to(ROOT)}:{line}: {key}"
            for line, key in _named_keys(path)
            if key not in known
        ]
    assert missing == []


def test_the_site_has_every_message_it_asks_for() -> None:
    macros = site.templates().get_template("messages.html").module
    assert [key for key in site.MESSAGES if not hasattr(macros, key)] == []
    computed = {
        f"{what}_{problem}" for what in ("comment", "message") for problem in ("empty", "too_long")
    }
    assert computed <= set(site.MESSAGES)


def test_dialogues_validate_names_a_missing_phrase(tmp_path: Path) -> None:
    """A content folder without a phrase the code needs fails `dialogues validate` (and start-up)
    naming the file and the phrase, instead of a KeyError in a conversation."""
    shipped = (DIALOGUES_DIR / "messages.yaml").read_text(encoding="utf-8")
    lines = shipped.splitlines(keepends=True)
    at = lines.index("hint_scale: |\n")
    (tmp_path / "messages.yaml").write_text("".join(lines[:at] + lines[at + 2 :]), "utf-8")
    done = run_bot(tmp_path / "p.db", "dialogues", "validate", str(tmp_path / "messages.yaml"))
    assert done.returncode == 1
    assert "phrase 'hint_scale'" in done.stderr and "missing" in done.stderr
