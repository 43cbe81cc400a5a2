"""A follow-up script (the debrief) and the preparation it looks back on.

A debrief session starts with a **context**: values copied from the prepared session when the
debrief opens, so its questions can depend on what the preparation found while the script stays
data (`when: {context: prep.level.power, in: [risk, watch, gap]}`). The copy is a snapshot:
changing the preparation afterwards does not move a debrief already under way. Context values sit
beside the answers (key -> [value, shown]) under keys with a dot, which no question id has:

    prep.title              the preparation's title
    prep.level.<lesson>     its verdict on a lesson: risk, watch, gap or clear
    prep.answer.<question>  its answer to a question (value for conditions, as shown in prompts)
    prep.rehearsed          "yes" when it was rehearsed (/rehearse), shown as the rehearsed
                            lessons' titles; "no" otherwise

Prompts read them as `{{ prep.answer.topic }}` (as shown, escaped like any answer). What the
debrief's answers mean is declared in the script's `record:` map, read here into the export's
`debrief` section and into what /progress learns from a debrief.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.engine.lessons import ASKED
from bot.engine.machine import Conversation
from bot.engine.script import Script

ROOT = "prep"


def is_context_key(key: str) -> bool:
    return "." in key


def context_keys(followed: Script, lesson_ids: Iterable[str]) -> set[str]:
    """Every context key a script following `followed` is given."""
    keys = {f"{ROOT}.title", f"{ROOT}.rehearsed"}
    keys |= {f"{ROOT}.level.{lesson}" for lesson in lesson_ids}
    return keys | {f"{ROOT}.answer.{q.id}" for q in followed.questions}


def seed(
    followed: Script,
    title: str,
    levels: Mapping[str, str],
    prepared: Conversation,
    rehearsed: str = "",
) -> dict[str, list[Any]]:
    """The context of a new debrief: key -> [value, shown], from the prepared session's title,
    verdicts, the answers on the route it took (unanswered: [None, ""]) and what was rehearsed
    (`rehearsed`: the rehearsed lessons' titles, "" when it never was)."""
    pairs: dict[str, list[Any]] = {f"{ROOT}.title": [title, title]}
    pairs[f"{ROOT}.rehearsed"] = ["yes" if rehearsed else "no", rehearsed]
    for lesson, level in levels.items():
        pairs[f"{ROOT}.level.{lesson}"] = [level, level]
    on_path = prepared.answered_on_path()
    for question in followed.questions:
        if question.id in on_path:
            shown = prepared.shown.get(question.id, "")
            pairs[f"{ROOT}.answer.{question.id}"] = [on_path[question.id], shown]
        else:
            pairs[f"{ROOT}.answer.{question.id}"] = [None, ""]
    return pairs


def nested(shown: Mapping[str, str]) -> dict[str, Any]:
    """Dotted context keys as nested mappings for templates: {"prep": {"level": {...}}}."""
    tree: dict[str, Any] = {}
    for key, text in shown.items():
        if not is_context_key(key):
            continue
        *parents, leaf = key.split(".")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = text
    return tree


def _answer(
    on_path: Mapping[str, Any], shown: Mapping[str, str], qid: str
) -> dict[str, Any] | None:
    if on_path.get(qid) is None:
        return None
    return {"value": on_path[qid], "answer": shown.get(qid, "")}


def record(
    script: Script,
    lessons: Iterable[tuple[str, str]],
    conv: Conversation,
    prompts: Mapping[str, str],
) -> dict[str, Any]:
    """The debrief's answers read through the script's `record:` map (the export's `debrief`
    section without the session's own id, status and times). `lessons` are (id, title)."""
    spec = script.record
    on_path = conv.answered_on_path()
    shown = conv.shown
    outcome = {
        name: _answer(on_path, shown, qid) for name, qid in (spec.outcome if spec else {}).items()
    }
    ratings = {
        name: on_path.get(qid) if isinstance(on_path.get(qid), int) else None
        for name, qid in (spec.ratings if spec else {}).items()
    }
    proved = spec.proved if spec else {}
    flagged = []
    for lesson_id, title in lessons:
        level = conv.values.get(f"{ROOT}.level.{lesson_id}")
        if level in ASKED:
            said = on_path.get(proved[lesson_id]) if lesson_id in proved else None
            flagged.append({"id": lesson_id, "title": title, "prep_level": level, "proved": said})
    wrong = None
    if spec is not None and spec.wrong_assumption is not None:
        chosen = _answer(on_path, shown, spec.wrong_assumption)
        if chosen is not None:
            typed = _answer(on_path, shown, spec.wrong_assumption_text or "")
            known = {lesson_id for lesson_id, _title in lessons}
            wrong = {
                "lesson": chosen["value"] if chosen["value"] in known else None,
                "answer": chosen["answer"],
                "text": typed["answer"] if typed is not None else None,
            }
    change = None
    if spec is not None and spec.change_next_time is not None:
        change_answer = _answer(on_path, shown, spec.change_next_time)
        change = change_answer["answer"] if change_answer is not None else None
    return {
        "outcome": outcome,
        "ratings": ratings,
        "lessons": flagged,
        "wrong_assumption": wrong,
        "change_next_time": change,
        "answers": [
            {"question": q.id, "prompt": prompts.get(q.id, q.id), "answer": shown.get(q.id, "")}
            for q in script.questions
            if q.id in on_path
        ],
    }


def verdicts(script: Script, conv: Conversation, lesson_ids: Iterable[str]) -> dict[str, str]:
    """What a debrief said of each lesson, for /progress: lesson -> yes|partly|no|unsure.
    Naming a lesson's assumption as the one that turned out wrong counts as "yes"."""
    spec = script.record
    if spec is None:
        return {}
    on_path = conv.answered_on_path()
    said = {
        lesson: str(on_path[qid])
        for lesson, qid in spec.proved.items()
        if on_path.get(qid) is not None
    }
    wrong = on_path.get(spec.wrong_assumption or "")
    if wrong in set(lesson_ids):
        said[str(wrong)] = "yes"
    return said
