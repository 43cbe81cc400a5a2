"""A Telegram user coached end to end: the real bot process, the fake Telegram, a real SQLite file."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.telegram_process import (
    QUESTION_RE,
    QUOTE_MARK,
    REPORT_MARK,
    Coachee,
    ParleyProcess,
    drive,
    export_json,
    fake_bot_api,
    persona,
    sessions_json,
    user_lines,
)
from tests.fakes import FakeBotApi

pytestmark = pytest.mark.timeout(120)
COMMANDS = {"start", "new", "resume", "sessions", "back", "report", "export", "forget", "privacy"}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotApi]:
    with fake_bot_api() as server:
        yield server


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("flow") / "parley.db"


@pytest.fixture(scope="module")
def parley(fake: FakeBotApi, database: Path) -> Iterator[ParleyProcess]:
    with ParleyProcess(fake, database).started() as bot:
        yield bot


def test_a_persona_answered_with_buttons_and_text_gets_its_report_and_export(
    fake: FakeBotApi, parley: ParleyProcess, database: Path
) -> None:
    names = {c["command"] for c in fake.my_commands()}
    assert names >= COMMANDS | {"help"}, f"command menu: {sorted(names)}"
    assert {"web", "share", "leave", "cancel"} <= names
    assert not {"students", "grant"} & names, "instructors' commands are in their own menus"
    descriptions = fake.descriptions()
    assert "negotiation coach" in descriptions["description"]
    assert 0 < len(descriptions["short_description"]) <= 120
    fake.state.wait_until(fake.allowed_updates, 10)  # the first long poll has begun
    assert fake.allowed_updates() == [
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
    ]

    sofia = Coachee(fake.user(1001, "Sofia"), persona("lease_single_issue"), press=True)
    drive(fake, [sofia], timeout=60, diagnostics=parley.output)

    messages = sofia.user.messages()
    assert "Hi Sofia! Let's get you ready" in messages[0].shown
    first = messages[1]
    assert first.shown.startswith("Question 1 of about")
    assert "negotiation coach" in first.shown
    first_labels = [
        b["text"] for row in first.history[0].reply_markup["inline_keyboard"] for b in row
    ]
    assert first_labels == ["OK, let's start", "Tell me more"]
    assert all(
        data.startswith("v1:a:")
        for row in first.history[0].reply_markup["inline_keyboard"]
        for data in (b["callback_data"] for b in row)
    )

    questions = [m for m in messages if QUESTION_RE.search(m.shown)]
    numbers = [int(QUESTION_RE.search(m.shown).group(1)) for m in questions]  # type: ignore[union-attr]
    assert numbers == [1, *[p for p in sofia.persona.positions if p is not None]]
    assert all(m.parse_mode == "HTML" for m in questions)
    # Every keyboard was retired, so no old button can answer a newer question: a pressed one
    # by the press, and one under a question answered by typing ("I don't know") by the answer.
    assert sofia.presses > 15 and sofia.typed_ids
    # The old keyboard is retired alongside the next question, so allow it a moment.
    deadline = time.monotonic() + 5
    while True:
        messages = sofia.user.messages()
        with_buttons = {m.message_id: m.button_texts for m in messages if m.buttons}
        if not with_buttons or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert with_buttons == {}, with_buttons
    typed = [m for m in messages if m.message_id in sofia.typed_ids]
    assert any(
        "I don't know" in str(version.reply_markup) for m in typed for version in m.history
    ), "a typed answer's question had buttons before"
    questions = [m for m in messages if QUESTION_RE.search(m.shown)]
    assert all(m.history for m in questions if m.message_id in sofia.pressed_ids)
    answers = sofia.user.callback_answers()
    assert len(answers) == sofia.presses
    assert all(a.answered and (a.text or "").startswith("Saved: ") for a in answers), answers
    assert "Saved: Lease or property" in [a.text for a in answers]

    report = [m for m in messages if REPORT_MARK in m.shown or QUOTE_MARK in m.shown]
    assert report and all(m.parse_mode == "HTML" for m in report)
    assert "Renewing my flat lease" in report[0].shown
    calls = [(c.method, c.params) for c in fake.calls() if c.params.get("chat_id") == 1001]
    typing = [i for i, (m, p) in enumerate(calls) if m == "sendChatAction"]
    report_call = next(i for i, (m, p) in enumerate(calls) if REPORT_MARK in p.get("text", ""))
    assert typing and typing[-1] < report_call, "a typing action comes before the report"

    sofia.user.sends_command("/export")
    html_doc = sofia.user.wait_for(
        lambda m: m.document is not None and (m.document.filename or "").endswith(".html"),
        description="the HTML export",
    )
    docs = [m for m in sofia.user.messages() if m.document is not None]
    assert [(m.document.filename or "")[-5:] for m in docs] == [".json", ".html"]  # type: ignore[union-attr]
    assert docs[0].document is not None and docs[0].document.content is not None
    exported = json.loads(docs[0].document.content)
    levels = {lesson["id"]: lesson["level"] for lesson in exported["lessons"]}
    assert len(exported["lessons"]) == 5
    assert levels == sofia.persona.expect
    assert user_lines(exported) == sofia.sent
    assert html_doc.document is not None and html_doc.document.content is not None
    page = html_doc.document.content.decode()
    assert "<html" in page.lower()
    assert "Renewing my flat lease" in page

    [session] = [s for s in sessions_json(database) if s["user"] == "1001"]
    stored = export_json(database, session["id"])
    assert stored["session"]["status"] == "completed"
    assert stored["session"]["state"] == "done"
    assert {lesson["id"]: lesson["level"] for lesson in stored["lessons"]} == levels
    said = user_lines(stored)
    assert said[: len(sofia.sent)] == sofia.sent
    assert all(line.startswith("/") for line in said[len(sofia.sent) :])


def test_help_privacy_report_new_resume_back_and_forget(
    fake: FakeBotApi, parley: ParleyProcess, database: Path
) -> None:
    bo = fake.user(1002, "Bo")
    bo.sends_command("/help")
    assert "/new start a new negotiation" in bo.wait_for_text("/resume").shown
    bo.sends_command("/start")
    bo.wait_for_text("Question 1 of about")
    bo.presses("OK, let's start")
    bo.wait_for_text("Question 2 of about")
    bo.says("A raise from my manager")
    bo.wait_for_text("Question 3 of about")

    bo.sends_command("/privacy")
    assert "What Parley keeps" in bo.wait_for_reply().shown
    bo.sends_command("/report")
    assert "we're at question 3 of about" in bo.wait_for_text("The report is ready").shown
    bo.sends_command("/new")
    bo.wait_for_text("A fresh start")
    bo.wait_for_text("Question 1 of about")
    bo.sends_command("/resume")
    which = bo.wait_for_text("Which negotiation")
    raise_button = next(t for t in which.button_texts if "A raise from my manager" in t)
    bo.presses(raise_button, message_id=which.message_id)
    back = bo.wait_for_text("Welcome back")
    assert "A raise from my manager" in back.shown and "question 3 of about" in back.shown
    bo.wait_for_text("Question 3 of about")
    bo.sends_command("/back")
    bo.wait_for_text("(You answered: A raise from my manager.")

    bo.sends_command("/forget")
    confirm = bo.wait_for_text("It can't be undone")
    assert confirm.button_texts == ["Yes, delete everything", "No, keep my data"]
    bo.presses("No, keep my data")
    bo.wait_for_text("Nothing was deleted")
    assert len([s for s in sessions_json(database) if s["user"] == "1002"]) == 2
    bo.sends_command("/forget")
    bo.wait_for_text("It can't be undone")
    bo.presses("Yes, delete everything")
    bo.wait_for_text("everything about you is deleted")
    assert [s for s in sessions_json(database) if s["user"] == "1002"] == []
    assert parley.errors() == []


def test_sessions_lists_the_users_negotiations(fake: FakeBotApi, parley: ParleyProcess) -> None:
    cy = fake.user(1003, "Cy")
    cy.sends_command("/start")
    cy.wait_for_text("Question 1 of about")
    cy.presses("OK, let's start")
    cy.wait_for_text("Question 2 of about")
    cy.says("Office rent <b>& parking</b>")
    cy.wait_for_text("Question 3 of about")
    cy.sends_command("/sessions")
    listing = cy.wait_for_text("Your negotiations").shown
    assert "Office rent <b>& parking</b>" in listing
    assert "/resume" in listing


def test_a_question_answered_by_typing_loses_its_buttons_but_keeps_them_through_help(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    di = fake.user(1004, "Di")
    di.sends_command("/start")
    di.wait_for_text("Question 1 of")
    di.presses("OK, let's start")
    di.wait_for_text("Question 2 of")
    di.says("A used car from a dealer")
    kind = di.wait_for_text("Question 3 of")
    assert "Lease or property" in kind.button_texts

    di.sends_command("/help")  # the question still waits: its buttons stay usable
    di.wait_for_text("/resume")
    [still] = [m for m in di.messages() if m.message_id == kind.message_id]
    assert "Lease or property" in still.button_texts

    di.says("Business deal or supplier")  # typed, not pressed
    di.wait_for_text("Question 4 of")
    retired = di.wait_for(
        lambda m: m.message_id == kind.message_id and not m.buttons,
        description="question 4 without its buttons",
    )
    assert retired.shown == kind.shown, "only the keyboard changed, not the question"
    edits = [c.params for c in fake.calls("editMessageReplyMarkup") if c.params["chat_id"] == 1004]
    assert [e["message_id"] for e in edits] == [kind.message_id]
    assert parley.errors() == []


def test_an_unsure_reading_asks_did_you_mean_with_buttons_and_keeps_the_words(
    fake: FakeBotApi, parley: ParleyProcess, database: Path
) -> None:
    eli = fake.user(1006, "Eli")
    eli.sends_command("/start")
    eli.wait_for_text("Question 1 of")
    eli.presses("OK, let's start")
    eli.wait_for_text("Question 2 of")
    eli.says("Renewing the office supply contract")
    eli.wait_for_text("Question 3 of")
    eli.says("buisness")  # a near miss: the coach asks rather than guesses
    asked = eli.wait_for_text("Did you mean")
    assert "Business deal or supplier" in asked.shown
    assert asked.button_texts == ["Business deal or supplier", "Something else"]
    [something_else] = [d for row in asked.buttons for t, d in row if t == "Something else"]
    assert something_else is not None

    eli.presses("Business deal or supplier", asked.message_id)
    eli.wait_for_text("Question 4 of")
    retired = eli.wait_for(
        lambda m: m.message_id == asked.message_id and not m.buttons,
        description="the answered 'Did you mean' without its buttons",
    )
    assert "Did you mean" in retired.shown
    eli.presses_data(something_else, asked.message_id)  # a stale button on the old message
    eli.wait_for(lambda _m: len(eli.callback_answers()) >= 2, description="the stale press")
    [session] = [s for s in sessions_json(database) if s["user"] == "1006"]
    assert session["state"] != "kind", "the stale button did not move the session back"
    [kind] = [a for a in export_json(database, session["id"])["answers"] if a["question"] == "kind"]
    assert (kind["value"], kind["words"]) == ("business_deal", "buisness")
    assert parley.errors() == []


def test_the_stock_httpx_client_still_coaches_when_chosen(
    fake: FakeBotApi, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """PARLEY_TELEGRAM_HTTP=httpx: the fallback to python-telegram-bot's own client works
    end to end (buttons, typed answers, documents), so operators can switch without code."""
    database = tmp_path_factory.mktemp("httpx") / "parley.db"
    with ParleyProcess(fake, database, PARLEY_TELEGRAM_HTTP="httpx").started():
        di = fake.user(1010, "Di")
        di.sends_command("/start")
        di.wait_for_text("Question 1 of about")
        di.presses("OK, let's start")
        di.wait_for_text("Question 2 of about")
        di.says("A supplier contract")
        di.wait_for_text("Question 3 of about")
        di.sends_command("/export")
        exported = di.wait_for(
            lambda m: m.document is not None and (m.document.filename or "").endswith(".json"),
            description="the JSON export",
        )
        assert exported.document is not None and exported.document.content is not None
        data = json.loads(exported.document.content)
        assert data["session"]["title"] == "A supplier contract"
