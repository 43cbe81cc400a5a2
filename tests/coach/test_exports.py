"""The Markdown export reads as the person typed: escaped for Markdown, not for HTML."""

from __future__ import annotations

from bot.coach.service import CoachService
from tests.conftest import Chat


def test_the_markdown_export_shows_apostrophes_and_keeps_markup_inert(
    chat: Chat, service: CoachService
) -> None:
    chat.says("/start")
    chat.presses("OK, let's start")
    chat.says("Landlord's *final* offer: <b>1,150</b> & [link](x) #2")
    data = service.export(service.list_sessions("console", "ana")[0].id)
    assert data is not None
    md = service.export_document(data, "md")
    assert "&#39;" not in md and "&lt;" not in md and "&amp;" not in md
    assert md.startswith(r"# Landlord's \*final\* offer: \<b\>1,150\</b\> \& \[link\](x) \#2")
