"""The phrases the program asks for by name, and the engine's own words.

Every sentence a person reads lives in the content files (dialogues/messages.yaml), so a
second language is a second content folder, not a code change. `REQUIRED` lists the phrases
the code reads that loading must find (`load_phrases` refuses a folder without one, so a
missing phrase is a content error at start-up and in `python -m bot dialogues validate`, never
a KeyError in the middle of a conversation).

`Phrases` is what the dialogue engine says itself (re-asks, the "I don't know" option, the
refusal to skip): it is given the loaded templates and a renderer, and does no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.engine.render import Renderer

ENGINE = (
    "answer_unknown",
    "answer_skipped",
    "answer_empty",
    "answer_wrong_button",
    "answer_no_option",
    "answer_unrecognised_option",
    "answer_date_passed",
    "answer_bad_date",
    "answer_too_long",
    "answer_too_short",
    "hint_choice",
    "hint_scale",
    "hint_date",
    "hint_text",
    "answer_date_echo",
    "step_session_complete",
    "step_not_skippable",
)
"""What the engine says (bot/engine/answers.py, bot/engine/machine.py)."""

REQUIRED = (
    *ENGINE,
    # the Telegram command menus and profile (bot/telegram/menus.py)
    "command_share",
    "command_leave",
    "command_web",
    "command_cancel",
    "command_students",
    "command_review",
    "command_feedback",
    "command_cohort",
    "command_notify",
    "command_grant",
    "command_revoke",
    "bot_description",
    "bot_short_description",
    "command_start",
    "command_new",
    "command_resume",
    "command_sessions",
    "command_back",
    "command_skip",
    "command_report",
    "command_progress",
    "command_debrief",
    "command_rehearse",
    "command_export",
    "command_reminders",
    "command_snooze",
    "command_stop",
    "command_timezone",
    "command_privacy",
    "command_forget",
    "command_help",
    # non-text messages, named by the Telegram adapter (bot/telegram/handlers.py MEDIA)
    "media_sticker",
    "media_photo",
    "media_voice",
    "media_video_note",
    "media_video",
    "media_animation",
    "media_audio",
    "media_document",
    "media_location",
    "media_contact",
    "media_poll",
    "media_dice",
    "media_forwarded",
    "media_other",
    # the adapters and features
    "question_progress",
    "untitled",
    "untitled_negotiation",
    "session_numbered",
    "console_nothing_to_resume",
    "console_saved",
    "feedback_transcript_line",
    "course_review_alt",
)
"""Phrases loading must find: the engine's, those read by a computed name (the command menu,
media names) and those said outside a conversation. Keys a feature passes by literal name to
`Content.say` or `Turn.info` are checked against the shipped messages.yaml by
tests/test_text_in_content.py."""


class Phrases:
    """The engine's words, rendered as plain text (an adapter sends them as any other text)."""

    def __init__(self, templates: Mapping[str, str], renderer: Renderer) -> None:
        self._templates = {key: templates[key] for key in ENGINE}
        self._renderer = renderer
        self.unknown_label = self.say("answer_unknown")
        """The "I don't know" option's label, and what such an answer shows."""
        self.skipped = self.say("answer_skipped")
        """What a skipped question shows in reports."""

    def say(self, key: str, **context: Any) -> str:
        return self._renderer.inline(self._templates[key], "text", **context)
