"""The Markdown export reads as the person typed: escaped for Markdown, not for HTML."""

from __future__ import annotations

from bot.coach.service import CoachService
from tests import persona as persona_file
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


def test_the_documents_show_the_report_once_not_again_in_the_transcript(
    chat: Chat, service: CoachService
) -> None:
    chat.says("/start")
    for answer in persona_file.answers("lease_single_issue", chat.service.clock().date()):
        chat.says(answer)
    assert "Your report" in chat.text()
    data = service.export(service.list_sessions("console", "ana")[0].id)
    assert data is not None
    reported = [line for line in data["transcript"] if line.get("report")]
    assert reported and all(line["from"] == "bot" and line["text"] for line in reported)
    assert not any(line.get("report") for line in data["transcript"] if line["from"] == "user")
    for fmt, marker in (("html", "Parley sent the report shown above."), ("md", "sent the report")):
        document = service.export_document(data, fmt)
        assert document.count(marker) == 1, fmt
        assert "Your report" not in document.split("Transcript", 1)[1], fmt
        said = [line["text"] for line in data["transcript"] if line["from"] == "user"]
        assert said[-1].split()[0] in document.split("Transcript", 1)[1]
