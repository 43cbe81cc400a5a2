"""Everything a Telegram user can throw at the bot gets a reply and changes nothing it shouldn't."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.telegram_process import (
    QUESTION_RE,
    ParleyProcess,
    export_json,
    fake_bot_api,
    sessions_json,
    user_lines,
)
from tests.fakes import BotMessage, FakeBotApi, TelegramUser

pytestmark = pytest.mark.timeout(90)
TOPIC_HINT = "Please answer in a few words (up to 500 characters)."


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotApi]:
    with fake_bot_api() as server:
        yield server


@pytest.fixture(scope="module")
def parley(fake: FakeBotApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ParleyProcess]:
    with ParleyProcess(fake, tmp_path_factory.mktemp("bad") / "parley.db").started() as bot:
        yield bot


def at_topic(fake: FakeBotApi, user_id: int, name: str = "Ana") -> TelegramUser:
    """A user who consented and now sees the free-text question 2 ("What are you negotiating")."""
    user = fake.user(user_id, name)
    user.sends_command("/start")
    user.wait_for_text("Question 1 of about")
    user.presses("OK, let's start")
    user.wait_for_text("Question 2 of about")
    return user


def session_of(parley: ParleyProcess, user_id: int) -> dict[str, Any]:
    mine = [s for s in sessions_json(parley.database) if s["user"] == str(user_id)]
    assert len(mine) == 1, mine
    return mine[0]


def question_numbers(messages: list[BotMessage]) -> list[int]:
    found = (QUESTION_RE.search(m.shown) for m in messages)
    return [int(match.group(1)) for match in found if match]


def test_media_and_forwards_are_refused_with_a_hint_and_change_nothing(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    ana = at_topic(fake, 9001)
    sends = [
        ("a sticker", ana.sends_sticker),
        ("a photo", lambda: ana.sends_photo(caption="my offer letter")),
        ("a voice message", ana.sends_voice),
        ("a document", lambda: ana.sends_document("offer.pdf", b"%PDF-1.4", "application/pdf")),
        ("a location", ana.sends_location),
        ("a contact", ana.sends_contact),
    ]
    for name, send in sends:
        send()
        reply = ana.wait_for_text(f"I can't read {name} here, only text.")
        assert TOPIC_HINT in reply.shown
    ana.forwards("Their offer: 3% and not a cent more")
    reply = ana.wait_for_reply()
    assert "forward" in reply.shown.lower() and "only text" in reply.shown, reply.shown

    session = session_of(parley, 9001)
    assert (session["state"], session["title"], session["status"]) == ("topic", "", "active")
    export = export_json(parley.database, session["id"])
    assert export["situation"] == []
    assert not any("offer" in line for line in user_lines(export))
    ana.says("A raise from my manager")
    ana.wait_for_text("Question 3 of about")


def test_edits_group_messages_unknown_commands_and_a_4000_character_message(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    bo = at_topic(fake, 9002, "Bo")
    sent = bo.says("A raise from my manager")
    bo.wait_for_text("Question 3 of about")
    bo.edits_message(sent.message_id, "A promotion to team lead")
    edited = bo.wait_for_reply()
    assert "/back" in edited.shown and "edit" in edited.shown.lower()
    bo.sends_command("/dance")
    assert "I don't know /dance" in bo.wait_for_text("/help").shown
    bo.wait_for_text("Question 3 of about")

    cy = at_topic(fake, 9003, "Cy")
    cy.says("x" * 4000)
    too_long = cy.wait_for_text("4,000 characters")
    assert "under 500" in too_long.shown and len(too_long.shown) < 1000

    dee = fake.user(9004, "Dee")
    group = fake.group(-1009004, "Negotiation club")
    group.user_says(dee, "hello bot, coach me")
    assert "private chat" in group.wait_for_reply().shown
    # Said once, then the bot left: the group's next messages never reach it.
    fake.wait_for_call("leaveChat")
    assert fake.calls("leaveChat")[-1].params["chat_id"] == -1009004
    group.user_sends_command(dee, "/start")
    time.sleep(1.0)
    assert len(fake.bot_messages(-1009004)) == 1
    assert dee.messages() == []

    listing = sessions_json(parley.database)
    [bo_session] = [s for s in listing if s["user"] == "9002"]
    assert (bo_session["state"], bo_session["title"]) == ("kind", "A raise from my manager")
    [cy_session] = [s for s in listing if s["user"] == "9003"]
    assert (cy_session["state"], cy_session["title"]) == ("topic", "")
    assert [s for s in listing if s["user"] == "9004"] == []
    export = export_json(parley.database, bo_session["id"])
    assert [s["answer"] for s in export["situation"]] == ["A raise from my manager"]


def test_template_syntax_and_html_in_answers_come_back_literally(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    answer = "{{ 7*7 }} <script>alert(1)</script> & <b>rent</b> {% if true %}x{% endif %}"
    eve = at_topic(fake, 9005, "Eve")
    eve.says(answer)
    eve.wait_for_text(
        "Question 3 of about"
    )  # the fake refuses unescaped HTML: this proves escaping
    eve.sends_command("/back")
    previous = eve.wait_for_text("You answered")
    assert f"(You answered: {answer}. Send a new answer to change it.)" in previous.shown
    assert "49" not in previous.shown
    assert "&lt;script&gt;" in (previous.text or "")
    eve.says("Office lease <renewal> & parking")
    eve.wait_for_text("Question 3 of about")
    eve.sends_command("/start")
    welcome = eve.wait_for_text("Welcome back")  # the title follows the changed answer
    assert "“Office lease <renewal> & parking”" in welcome.shown

    session = session_of(parley, 9005)
    assert session["title"] == "Office lease <renewal> & parking"
    export = export_json(parley.database, session["id"])
    assert [s["answer"] for s in export["situation"]] == ["Office lease <renewal> & parking"]
    said = user_lines(export)
    assert answer in said and "49" not in " ".join(said)


def test_a_burst_of_five_quick_messages_is_applied_in_order(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    fay = at_topic(fake, 9006, "Fay")
    burst = ["Buying a used van", "Business deal or supplier", "1", "The dealer", "No, just us"]
    with fake.state.lock:  # queued together: the bot fetches them in one batch
        mark = len(fay.messages())
        for text in burst:
            fay.says(text)
    fay.wait_for_text("Question 7 of about")
    replies = fay.messages()[mark:]
    assert question_numbers(replies) == [3, 4, 5, 6, 7], [m.shown[:60] for m in replies]
    assert not any("Please answer" in m.shown for m in replies)

    session = session_of(parley, 9006)
    assert session["state"] == "stakes"
    assert user_lines(export_json(parley.database, session["id"]))[-5:] == burst


def test_stale_forged_and_foreign_buttons_are_answered_politely_and_ignored(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    gil = fake.user(9007, "Gil")
    gil.sends_command("/start")
    consent = gil.wait_for_text("Question 1 of about")
    start_data = dict(consent.buttons[0])["OK, let's start"]
    gil.presses("OK, let's start")
    topic = gil.wait_for_text("Question 2 of about")

    gil.presses_data(start_data, message_id=consent.message_id)  # the retired keyboard
    gil.wait_for_text("That button belongs to an earlier question")
    reshown = gil.wait_for(
        lambda m: m.shown.startswith("Question 2 of about") and m.seq > topic.seq
    )
    assert "What are you negotiating" in reshown.shown
    assert gil.wait_for_callback_answer().answered

    gil.presses_data("v1:zz:not-ours", message_id=topic.message_id)
    gil.wait_for_text("I couldn't read that button")
    assert gil.wait_for_callback_answer().answered

    hal = fake.user(9008, "Hal")
    hal.sends_command("/start")
    hal_consent = hal.wait_for_text("Question 1 of about")
    hal.presses_data(start_data, message_id=hal_consent.message_id)  # Gil's session
    hal.wait_for_text("doesn't belong to your conversation")
    assert hal.wait_for_callback_answer().answered

    listing = sessions_json(parley.database)
    assert [s["state"] for s in listing if s["user"] == "9007"] == ["topic"]
    assert [s["state"] for s in listing if s["user"] == "9008"] == ["consent"]
    assert parley.errors() == []


def test_a_misread_answer_gets_the_hint_as_a_reply_and_one_live_question_stays(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    ivy = at_topic(fake, 9009, "Ivy")
    ivy.says("Renewing the lease of our shop")
    kind = ivy.wait_for_text("Question 3 of")
    assert kind.buttons
    before = len(_chat_calls(fake, 9009))
    typed = []
    for text in ("banana", "the purple one", "zzz"):
        typed.append(ivy.says(text))
        hint = ivy.wait_for_reply()
        assert "option" in hint.shown.lower(), hint.shown
        assert hint.reply_to == typed[-1].message_id  # a reply to what they wrote
    ivy.says("Lease or property")
    ivy.wait_for_text("Question 4 of")
    time.sleep(0.5)  # the answered keyboard is retired just after the reply
    calls = _chat_calls(fake, 9009)[before:]
    # The valid answer costs two calls (the next question, retiring the old keyboard).
    per_misread = (len(calls) - 2) / len(typed)
    print(f"Bot API calls per misread answer: {per_misread:g}")
    assert per_misread == 1, [c.method for c in calls]
    copies = [m for m in ivy.messages() if m.shown.startswith("Question 3 of")]
    assert len(copies) == 1  # no new full copy of the question per misreading


def _chat_calls(fake: FakeBotApi, chat_id: int) -> list[Any]:
    return [
        call
        for call in fake.calls()
        if call.method != "getUpdates" and str(call.params.get("chat_id")) == str(chat_id)
    ]
