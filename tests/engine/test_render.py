"""Escaping for the Markdown export (bot.engine.render.md_escape)."""

from __future__ import annotations

from bot.engine.render import md_escape


def test_markdown_escaping_leaves_plain_words_alone_and_disarms_line_markers() -> None:
    assert md_escape("It's 8% off, isn't it?") == "It's 8% off, isn't it?"
    lines = "- rent\n2. parking\n# not a heading"
    assert md_escape(lines) == "\\- rent\n2\\. parking\n\\# not a heading"
    assert md_escape("a_b `code` | x") == "a\\_b \\`code\\` \\| x"
