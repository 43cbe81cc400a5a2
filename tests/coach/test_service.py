"""The coach service with the shipped content on a real database (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set): exactly-once handling, the outbox, commands and bad input."""

from __future__ import annotations

from sqlalchemy import select

from bot.coach import callbacks
from bot.coach.messages import Inbound
from bot.coach.service import CoachService
from storage import repository as repo
from storage.schema import OutboxMessage, TranscriptLine, User
from storage.uow import Database
from tests import persona as persona_file
from tests.conftest import Chat


def started(chat: Chat) -> Chat:
    chat.says("/start")
    chat.presses("OK, let's start")
    return chat


def test_first_message_greets_and_asks_for_consent(chat: Chat) -> None:
    chat.says("/start")
    assert chat.received[0].startswith("Hi Ana!")
    question = chat.question()
    assert [label for label, _ in question.options] == ["OK, let's start", "Tell me more"]
    assert question.progress is not None and question.progress[0] == 1


def test_answers_move_through_the_script_and_title_the_session(
    chat: Chat, service: CoachService
) -> None:
    started(chat)
    assert "negotiating" in chat.question().text.lower()
    chat.says("A raise at Acme")
    chat.says("1")
    [summary] = service.list_sessions("console", "ana")
    assert summary.title == "A raise at Acme"
    assert summary.state == "parties"


def test_a_redelivered_message_does_nothing(chat: Chat, service: CoachService) -> None:
    started(chat)
    first = chat.send(text="A raise", delivery="update-77")
    again = chat.send(text="A lease", delivery="update-77")
    assert first.messages
    assert again.duplicate
    assert again.messages == []
    assert service.list_sessions("console", "ana")[0].title == "A raise"


def test_every_reply_is_in_the_outbox_until_marked_delivered(
    chat: Chat, service: CoachService
) -> None:
    reply = chat.says("/start")
    pending = service.pending("console")
    assert [m.outbox_id for m in pending] == [m.outbox_id for m in reply.messages]
    assert [m.text for m in pending] == [m.text for m in reply.messages]
    service.mark_delivered([m.outbox_id for m in reply.messages])
    assert service.pending("console") == []


def test_back_returns_to_the_previous_question_and_shows_the_old_answer(chat: Chat) -> None:
    started(chat)
    chat.says("A raise")
    chat.says("/back")
    assert "negotiating" in chat.question().text.lower()
    assert "You answered: A raise" in chat.text()
    chat.says("A new lease")
    assert chat.question().text != ""


def test_template_syntax_and_html_in_answers_stay_literal(
    chat: Chat, service: CoachService
) -> None:
    started(chat)
    chat.says("{{ 7*7 }} <script>alert(1)</script>")
    data = service.export(service.list_sessions("console", "ana")[0].id)
    assert data is not None
    user_lines = [line["text"] for line in data["transcript"] if line["from"] == "user"]
    assert "{{ 7*7 }} <script>alert(1)</script>" in user_lines
    assert not any("49" in line for line in user_lines)
    html = service.export_document(data, "html")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_telegram_channel_escapes_user_text_in_html(service: CoachService) -> None:
    chat = Chat(service, user="42", channel="telegram")
    started(chat)
    chat.says("<b>raise</b> & {{ 7*7 }}")
    chat.says("/sessions")
    assert "&lt;b&gt;raise&lt;/b&gt; &amp; {{ 7*7 }}" in chat.text()
    assert "<b>raise</b>" not in chat.text()


def test_option_number_out_of_range_is_reasked_without_moving(chat: Chat) -> None:
    started(chat)
    chat.says("A raise")
    chat.says("17")
    assert "There's no option 17" in chat.text()
    # The short hint alone: the question with its buttons is still the one above.
    assert [m.kind for m in chat.last] == ["error"]
    chat.says("2")
    assert chat.question().question == "parties"


def test_empty_and_huge_answers_are_reasked(chat: Chat, service: CoachService) -> None:
    started(chat)
    chat.says("")
    assert "didn't catch" in chat.text()
    chat.says("x" * 5000)
    assert "5,000 characters" in chat.text()
    assert service.list_sessions("console", "ana")[0].state == "topic"


def test_a_sticker_gets_a_clear_reply_and_changes_nothing(
    chat: Chat, service: CoachService
) -> None:
    started(chat)
    chat.sends("a sticker")
    assert "can't read a sticker" in chat.text()
    assert service.list_sessions("console", "ana")[0].state == "topic"


def test_unknown_command_is_explained_and_the_question_shown_again(chat: Chat) -> None:
    started(chat)
    chat.says("/dance")
    assert "I don't know /dance" in chat.text()
    assert "negotiating" in chat.question().text.lower()


def test_report_before_the_end_says_how_far_along_we_are(chat: Chat) -> None:
    started(chat)
    chat.says("/report")
    assert "question 2 of about" in chat.text()


def test_stale_button_from_an_earlier_question_is_refused(
    chat: Chat, service: CoachService
) -> None:
    chat.says("/start")
    old = chat.button("OK, let's start")
    chat.send(button=old)
    chat.send(button=old)
    assert "earlier question" in chat.text()
    assert service.list_sessions("console", "ana")[0].state == "topic"


def test_forged_button_is_refused(chat: Chat) -> None:
    chat.says("/start")
    chat.send(button="v1:a:1:1:99")
    assert "couldn't read that button" in chat.text()
    chat.send(button="'; DROP TABLE users; --")
    assert "couldn't read that button" in chat.text()


def test_ids_beyond_the_database_integer_range_are_answered_like_unknown_ones(
    chat: Chat,
) -> None:
    started(chat)
    for ident in ("99999999999", "2147483648", "²"):
        chat.says(f"/resume {ident}")
        assert f"can't find session {ident}" in chat.text()
        chat.says(f"/debrief {ident}")
        assert ident in chat.text()
    chat.send(button="v1:r:2147483648")
    assert "couldn't read that button" in chat.text()
    chat.send(button="v1:a:9999999999:1:0")
    assert "couldn't read that button" in chat.text()


def test_another_users_session_cannot_be_answered_or_resumed(service: CoachService) -> None:
    started(Chat(service, "ana"))
    ana_session = service.list_sessions("console", "ana")[0].id
    bob = Chat(service, "bob")
    bob.says("/start")
    bob.send(button=callbacks.answer(ana_session, 3, 0))
    assert "doesn't belong to your conversation" in bob.text()
    bob.says(f"/resume {ana_session}")
    assert f"can't find session {ana_session}" in bob.text()
    assert service.export(ana_session, owner=("console", "bob")) is None
    assert service.list_sessions("console", "ana")[0].state == "topic"


def test_sessions_are_kept_per_negotiation_and_resumable(chat: Chat, service: CoachService) -> None:
    started(chat)
    chat.says("A raise")
    chat.says("/new")
    chat.presses("OK, let's start")
    chat.says("A lease")
    first, second = service.list_sessions("console", "ana")
    assert (first.title, second.title) == ("A raise", "A lease")
    chat.says(f"/resume {first.id}")
    assert "continuing “A raise”" in chat.text()
    chat.says("/sessions")
    assert "#1 A raise" in chat.text() or f"#{first.id} A raise" in chat.text()


def test_forget_asks_first_then_deletes_everything(
    chat: Chat, service: CoachService, sessions: Database
) -> None:
    started(chat)
    chat.says("A secret deal")
    chat.says("/forget")
    assert "can't be undone" in chat.text()
    chat.presses("No, keep my data")
    assert "Nothing was deleted" in chat.text()
    assert service.list_sessions("console", "ana")
    chat.says("/forget")
    chat.presses("Yes, delete everything")
    assert "everything about you is deleted" in chat.text()
    assert service.list_sessions("console", "ana") == []
    with sessions.begin() as db:
        lines = db.execute(select(TranscriptLine)).all()
        assert all("secret" not in line.text for line in lines)
        kept = db.execute(select(OutboxMessage)).all()
        assert all("secret" not in str(row.payload) for row in kept)


def test_handling_an_update_finishes_its_inbox_row_in_the_same_transaction(
    service: CoachService,
) -> None:
    service.store_inbox([(5, 42, {"update_id": 5}), (6, 42, {"update_id": 6})])
    inbound = Inbound("telegram", "42", "42", "5", text="/start", inbox_id=5)
    assert service.handle(inbound).messages
    assert [uid for uid, _ in service.pending_inbox()] == [6]
    again = service.handle(inbound)
    assert again.duplicate
    assert service.claim("telegram", "6", 6)
    assert not service.claim("telegram", "6", 6)
    assert service.pending_inbox() == []


def test_a_blocked_user_is_inactive_and_their_messages_given_up(
    service: CoachService, sessions: Database
) -> None:
    service.handle(Inbound("telegram", "42", "42", "1", text="/start"))
    assert service.pending("telegram", "42")
    service.user_blocked("telegram", "42", "42")
    assert service.pending("telegram") == []
    with sessions.begin() as db:
        user = db.execute(select(User).where(User.external_id == "telegram:42")).one()
        assert not user.active


def test_a_fixed_reply_is_queued_once_per_update(service: CoachService) -> None:
    service.store_inbox([(9, -100, {"update_id": 9})])
    first = service.notify("telegram", "9", 9, "-100", "I only work in private chats.")
    assert [m.text for m in first] == ["I only work in private chats."]
    assert [m.outbox_id for m in service.pending("telegram")] == [first[0].outbox_id]
    assert service.notify("telegram", "9", 9, "-100", "I only work in private chats.") == []


def test_a_session_whose_question_vanished_resumes_at_the_nearest_one_and_says_so(
    chat: Chat, service: CoachService, sessions: Database
) -> None:
    started(chat)
    chat.says("A raise")
    chat.says("1")
    session_id = service.list_sessions("console", "ana")[0].id
    with sessions.begin() as db:
        row = repo.lock_session(db, session_id)
        assert row is not None
        row.state = "a_question_removed_in_version_2"
        repo.save_session(db, row)
    chat.says("/start")
    assert "The questions have changed" in chat.text()
    assert (chat.question().progress or (0,))[0] == 3  # kind: the last known question on its path
    chat.says("2")
    assert service.list_sessions("console", "ana")[0].state == "parties"


def _persona_answers(name: str, chat: Chat) -> list[str]:
    return persona_file.answers(name, chat.service.clock().date())


def test_progress_shows_which_lessons_were_overcome_in_the_latest_negotiation(
    chat: Chat,
) -> None:
    chat.says("/progress")
    assert "once you have completed a session" in chat.text()
    chat.says("/start")
    for answer in _persona_answers("lease_single_issue", chat):
        chat.says(answer)
    assert "Your report" in chat.text()
    chat.says("/new")
    for answer in _persona_answers("salary_well_prepared", chat):
        chat.says(answer)
    chat.says("/progress")
    text = chat.text()
    assert "Across your 2 completed negotiations" in text
    assert "Overcome: Power is not size" in text
    assert "Still with you" not in text
