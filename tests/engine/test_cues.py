"""Phrase cues (dialogues/cues.yaml): read within a sentence, with negation and hedges, each
naming the words it matched; the file's own examples are checked when it loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.engine.conditions import cue_match, items
from bot.engine.content import DIALOGUES_DIR, load_content
from bot.engine.cues import fold, load_cues
from bot.engine.errors import ScriptError


@pytest.mark.parametrize(
    ("cue", "text", "words"),
    [
        ("nothing", "Nothing. I'm not handing out extras", "nothing"),
        ("nothing", "probably nothing really", "nothing"),
        ("no_give", "Nothing. I'm not handing out extras", "not handing out"),
        ("waiting", "Wait them out, they'll get tired", "wait them out"),
        ("waiting", "honestly? theyll cave first", "they will cave first"),
        ("powerless", "we're fine but they're too big to care about us", "they are too big"),
        ("mediator_job", "That’s the mediator’s job", "the mediator's job"),
        ("wont_meet", "I WON'T MEET THEM", "i will not meet"),
    ],
)
def test_a_cue_fires_within_a_sentence_and_names_its_words(cue: str, text: str, words: str) -> None:
    # the leftmost phrase, and at one place the longest
    found = cue_match(cue, text)
    assert found is not None and found.words == words


@pytest.mark.parametrize(
    ("cue", "text"),
    [
        ("waiting", "I don't think they'll cave"),
        ("waiting", "we can't wait"),
        ("nothing", "Nothing changes for them"),
        ("nothing", "nothing else"),
        ("powerless", "they are not too big to care"),
        ("nothing", "unknown"),
    ],
)
def test_negations_and_other_sentences_stay_silent(cue: str, text: str) -> None:
    assert cue_match(cue, text) is None


def test_a_list_closed_by_nothing_else_or_qualified_by_a_number_is_one_item() -> None:
    assert items("Unit price, down 8%. Nothing else is on my list.") == ["Unit price, down 8%"]
    assert items("the rent, 1,150 a month") == ["the rent, 1,150 a month"]
    assert items("price, nothing else") == ["price"]
    assert items("price, timing and warranty") == ["price", "timing", "warranty"]


def test_folding_writes_out_contractions_and_drops_punctuation() -> None:
    assert fold("They’ll CAVE!! 🙂") == "they will cave"
    assert fold("we wont") == "we will not"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "dialogues"
    shutil.copytree(DIALOGUES_DIR, copy)
    return copy


def test_an_example_that_no_longer_fires_is_refused_with_its_cue(folder: Path) -> None:
    path = folder / "cues.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            '"we\'re ready to wait",', '"we\'re ready to wait", "the sky is blue",'
        ),
        encoding="utf-8",
    )
    with pytest.raises(ScriptError, match=r"cue 'waiting', field 'examples.fires'"):
        load_cues(path)
    with pytest.raises(ScriptError, match="does not fire"):
        load_content(folder)
    load_content()  # the shipped cues again, for the tests that follow


def test_a_rule_naming_an_unknown_cue_is_refused(folder: Path) -> None:
    path = folder / "coach.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("cue: powerless}", "cue: powerles}", 1),
        encoding="utf-8",
    )
    with pytest.raises(ScriptError, match="unknown cue 'powerles'"):
        load_content(folder)
