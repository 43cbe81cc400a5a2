"""`python -m bot dialogues understand QUESTION_ID "TEXT"`: how the coach reads an answer.

The content author's tool (like Rasa's `shell nlu`): prints as JSON what the coach would take
from an answer (`kind`; `option`, `candidates` or `none`; `number`; `date`; `items`; `cues`;
`dont_know`; `confirm: true` when it would ask "Did you mean ...?"). With `--stdin` it reads
JSON lines `{"question", "text", "today"}` and answers one JSON line each, in order, so a whole
corpus runs in one process.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from bot.cli.common import CommandError
from bot.config import Settings
from bot.engine.content import DIALOGUES_DIR, Content, load_content
from bot.engine.reading import explain


def _today(raw: object) -> date:
    if raw is None or raw == "":
        return date.today()
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise CommandError(f"--today needs YYYY-MM-DD, not {str(raw)[:40]!r}") from None


def _one(content: Content, question_id: str, text: str, today: date, order: str | None) -> Any:
    if not content.script.has_question(question_id):
        raise CommandError(f"no question {question_id[:64]!r} in {content.script.id}")
    question = content.script.question(question_id)
    return explain(question, text, today, content.engine_phrases, order)


def understand(settings: Settings, args: argparse.Namespace) -> int:
    content = load_content(settings.dialogues_dir or DIALOGUES_DIR)
    if not args.stdin:
        if args.file is None or args.text is None:
            raise CommandError('understand needs QUESTION_ID "TEXT" (or --stdin)')
        found = _one(content, str(args.file), args.text, _today(args.today), args.order)
        print(json.dumps(found, ensure_ascii=False))
        return 0
    status = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            asked = json.loads(line)
            found = _one(
                content,
                str(asked["question"]),
                str(asked["text"]),
                _today(asked.get("today") or args.today),
                asked.get("order") or args.order,
            )
        except (ValueError, KeyError, TypeError, CommandError) as exc:
            found, status = {"error": str(exc)[:200]}, 1
        print(json.dumps(found, ensure_ascii=False), flush=True)
    return status
