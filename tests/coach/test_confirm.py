""" "Did you mean ...?": when the coach is unsure how it read an answer it asks back, keeps the
readings on the session (a restart in between loses nothing) and takes the person's pick with
their own words. On SQLite and PostgreSQL, through the real coach service."""

from __future__ import annotations

from bot.coach.service import CoachService
from bot.engine.content import Content
from bot.wiring import coach_service
from storage import repository as repo
from storage.uow import Database
from tests.conftest import Chat, Clock

BOTH = "a salary and a lease"
"""Names two options of "What kind of negotiation is it?"."""


def at_kind(chat: Chat) -> Chat:
    chat.says("/start")
    chat.presses("OK, let's start")
    chat.says("A raise at Acme")
    return chat


def answers(service: CoachService) -> dict[str, tuple[object, str, str]]:
    with service.database.begin() as db:
        [row] = repo.sessions_of(db)
        return {a.question_id: (a.value, a.shown, a.words) for a in repo.answers_of(db, row.id)}


def test_two_named_options_are_offered_as_buttons_with_something_else(chat: Chat) -> None:
    at_kind(chat)
    chat.says(BOTH)
    assert "Did you mean “Salary or job” or “Lease or property”?" in chat.text()
    labels = [label for message in chat.last for label, _data in message.options]
    assert labels == ["Salary or job", "Lease or property", "Something else"]


def test_a_pick_survives_a_restart_and_is_stored_with_the_persons_words(
    chat: Chat, sessions: Database, content: Content, clock: Clock
) -> None:
    at_kind(chat)
    chat.says(BOTH)
    pick = chat.button("Lease or property")
    chat.service.close()
    restarted = Chat(coach_service(sessions, content, clock=clock))
    restarted.counter = chat.counter
    restarted.send(button=pick)
    assert "How many sides" in restarted.question().text
    assert answers(restarted.service)["kind"] == ("lease_property", "Lease or property", BOTH)
    restarted.service.close()


def test_the_number_of_a_reading_picks_it(chat: Chat, service: CoachService) -> None:
    at_kind(chat)
    chat.says(BOTH)
    chat.says("1")
    assert answers(service)["kind"] == ("salary_job", "Salary or job", BOTH)


def test_something_else_asks_the_question_again_and_stores_nothing(
    chat: Chat, service: CoachService
) -> None:
    at_kind(chat)
    chat.says(BOTH)
    chat.presses("Something else")
    assert "in other words" in chat.text()
    assert "What kind of negotiation" in chat.question().text
    assert "kind" not in answers(service)
    chat.says("family stuff")
    assert answers(service)["kind"] == ("family_personal", "Family or personal", "family stuff")


def test_new_words_instead_of_a_pick_are_read_as_a_new_answer(
    chat: Chat, service: CoachService
) -> None:
    at_kind(chat)
    chat.says(BOTH)
    chat.says("peace talks")
    assert answers(service)["kind"] == ("political", "Political or diplomatic", "peace talks")
    chat.says("1")  # the next question's option 1, not the old "Did you mean" reading
    assert answers(service)["parties"][0] == "two"


def test_free_text_is_kept_with_the_option_it_was_read_as(
    chat: Chat, service: CoachService
) -> None:
    at_kind(chat)
    chat.says("salry")
    chat.presses("Two: me and them")
    stored = answers(service)
    assert stored["kind"] == ("salary_job", "Salary or job", "salry")
    assert stored["parties"] == ("two", "Two: me and them", "")


def test_a_date_in_words_is_echoed_back(chat: Chat, service: CoachService) -> None:
    at_kind(chat)
    for text in ("salary", "1", "Dana", "no", "4", "5", "they set it"):
        chat.says(text)
    chat.says("next Tuesday")  # the clock says Wednesday 25 November 2026
    assert "Noted: Tuesday 1 December." in chat.text()
    assert answers(service)["negotiation_date"] == ("2026-12-01", "2026-12-01", "next Tuesday")
