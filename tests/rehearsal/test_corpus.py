"""The reply cues read the hand-labelled corpus as a careful coach would (target ≥ 0.9)."""

from __future__ import annotations

from bench.rehearsal import TARGET, corpus, scores
from bot.engine.content import load_content


def test_corpus_has_at_least_200_replies_for_every_moment() -> None:
    content = load_content()
    assert content.rehearsal is not None
    replies = corpus()
    assert sum(len(r) for r in replies.values()) >= 200
    assert set(replies) == set(content.rehearsal.moments)


def test_every_label_in_the_corpus_is_one_its_moment_reads() -> None:
    content = load_content()
    assert content.rehearsal is not None
    for moment_id, replies in corpus().items():
        moment = content.rehearsal.moments[moment_id]
        for text, labels in replies:
            assert labels <= {*moment.good, *moment.traps}, (moment_id, text)


def test_every_cue_and_trap_meets_the_precision_and_recall_target() -> None:
    table = scores(load_content())
    low = {
        label: (round(row["precision"], 2), round(row["recall"], 2))
        for label, row in table.items()
        if min(row["precision"], row["recall"]) < TARGET
    }
    assert not low
    assert len(table) == 14
