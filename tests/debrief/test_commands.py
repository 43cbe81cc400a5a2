"""/debrief, the "d" button, the export's debrief section and /progress through the coach
service on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import date, timedelta

from bot.coach import callbacks
from bot.coach.service import CoachService
from storage import repository as repo
from storage.uow import Database
from tests import persona as persona_file
from tests.conftest import Chat, Clock

# The lease persona's preparation flags power and package (risk) and mediator (watch).
LEASE = persona_file.answers("lease_single_issue", date(2026, 11, 25))  # the conftest clock's day
OUTCOME = ["I reached my target", "Worse: I should have walked", "/skip", "4", "5", "3", "2"]


def prepared(chat: Chat) -> int:
    """Complete the lease persona's preparation; returns its session id."""
    chat.says("/new")
    for answer in LEASE:
        chat.says(answer)
    assert "Your report" in chat.text()
    return max(s.id for s in chat.service.list_sessions(chat.channel, chat.user))


def debriefed(chat: Chat, last: str = "Ask what they'd lose without me", skip: int = 0) -> None:
    """From the debrief's first question (or a later one) to its summary: power no, package
    yes, mediator partly, "something else" as the wrong assumption."""
    for answer in OUTCOME[skip:]:
        chat.says(answer)
    chat.presses("No, it didn't")
    chat.presses("Yes, it caught me")
    chat.presses("Partly")
    chat.presses("Something else")
    chat.says("That a bigger landlord wouldn't bother")
    chat.says(last)


def test_debrief_with_no_finished_preparation_says_what_to_do(chat: Chat) -> None:
    chat.says("/debrief")
    assert "no finished preparation left to debrief" in chat.text()
    chat.says("/new")
    chat.says("1")
    chat.says("/debrief")
    assert "no finished preparation" in chat.text()
    assert "negotiating" in chat.question().text.lower()  # the open question, shown again


def test_a_debrief_asks_about_the_flagged_lessons_and_lands_in_the_export(
    chat: Chat, service: CoachService
) -> None:
    prep_id = prepared(chat)
    assert service.export(prep_id)["debrief"] is None  # type: ignore[index]
    chat.says("/debrief")
    assert "Let's look back at “Renewing my flat lease" in chat.text()
    assert "the 3 traps I flagged" in chat.text()
    first = chat.question()
    assert "you wanted this: “Renewing my flat lease: I want the rent to stay" in first.text
    assert first.progress == (1, 12)  # the questions on this path: three lessons were flagged
    debriefed(chat, last="{{ 7*7 }} <b>ask early</b>")
    summary = chat.text()
    assert "Your debrief: Renewing my flat lease" in summary
    assert "Power is not size (risk before): it didn't show up." in summary
    assert "Next time: “{{ 7*7 }} <b>ask early</b>”" in summary

    data = service.export(prep_id)
    assert data is not None
    section = data["debrief"]
    assert section["status"] == "completed" and section["completed_at"]
    assert section["ratings"] == {"outcome": 4, "self": 5, "process": 3, "relationship": 2}
    assert section["outcome"]["target"] == {"value": "met", "answer": "I reached my target"}
    assert section["outcome"]["notes"] is None  # skipped
    assert [(x["id"], x["prep_level"], x["proved"]) for x in section["lessons"]] == [
        ("power", "risk", "no"),
        ("package", "risk", "yes"),
        ("mediator", "watch", "partly"),
    ]
    assert section["wrong_assumption"]["text"] == "That a bigger landlord wouldn't bother"
    assert section["change_next_time"] == "{{ 7*7 }} <b>ask early</b>"
    assert {"session", "lessons", "transcript"} <= set(data)  # the contract keeps its shape
    page = service.export_document(data, "html")
    assert "{{ 7*7 }} &lt;b&gt;ask early&lt;/b&gt;" in page and "<b>ask early" not in page
    assert r"{{ 7\*7 }}" in service.export_document(data, "md")  # Markdown-escaped

    own = service.export(section["session_id"])
    assert own is not None
    assert own["prepared_session_id"] == prep_id
    assert own["session"]["script"] == "debrief" and own["lessons"] == []
    assert own["debrief"]["ratings"] == section["ratings"]


def test_the_d_button_opens_the_debrief_and_forged_or_foreign_ones_are_refused(
    service: CoachService,
) -> None:
    ana, bob = Chat(service, "ana", "telegram"), Chat(service, "bob", "telegram")
    prep_id = prepared(ana)
    reply = bob.send(button=callbacks.make("d", prep_id))
    assert reply.pressed == "refused"
    assert f"I can't find session {prep_id} among your preparations" in bob.text()
    unknown = bob.send(button=callbacks.make("d", 987654))
    assert bob.text() == reply.messages[0].text.replace(str(prep_id), "987654")
    assert unknown.pressed == "refused"
    forged = bob.send(button="v1:d:1:2")
    assert forged.pressed == "refused" and "couldn't read that button" in bob.text()
    opened = ana.send(button=callbacks.make("d", prep_id))
    assert opened.pressed == "accepted"
    assert "How did it end" in ana.question().text


def test_a_debrief_is_refused_for_unknown_unfinished_and_debrief_sessions(chat: Chat) -> None:
    chat.says("/debrief 4242")
    assert "I can't find session 4242 among your preparations" in chat.text()
    chat.says("/debrief soon")
    assert "I can't find session soon" in chat.text()
    chat.says("/new")
    chat.says("1")
    unfinished = chat.service.list_sessions("console", "ana")[-1].id
    chat.says(f"/debrief {unfinished}")
    assert "isn't finished yet" in chat.text() and f"/resume {unfinished}" in chat.text()
    prep_id = prepared(chat)
    chat.says(f"/debrief #{prep_id}")
    debrief_id = chat.service.list_sessions("console", "ana")[-1].id
    chat.says(f"/debrief {debrief_id}")
    assert f"Session #{debrief_id} is a debrief itself" in chat.text()


def test_asking_again_offers_to_continue_or_show_the_existing_debrief(chat: Chat) -> None:
    prep_id = prepared(chat)
    chat.says("/debrief")
    chat.says("I reached my target")
    chat.says(f"/debrief {prep_id}")
    assert "You've started the debrief" in chat.text()
    chat.presses("Continue the debrief")
    assert "Welcome back" in chat.text()
    assert "walking away" in chat.question().text
    debriefed(chat, skip=1)
    chat.says("/debrief")
    assert "no finished preparation left" in chat.text()
    chat.says(f"/debrief {prep_id}")
    assert "You've already debriefed" in chat.text()
    chat.presses("Show the debrief")
    assert "Your debrief: Renewing my flat lease" in chat.text()


def test_sessions_report_and_resume_treat_the_debrief_as_its_own_session(chat: Chat) -> None:
    prep_id = prepared(chat)
    chat.says("/debrief")
    debrief_id = prep_id + 1
    chat.says("/report")
    assert "question 1 of about 12" in chat.text()
    chat.says("/sessions")
    assert f"#{debrief_id} Debrief: Renewing my flat lease" in chat.text()
    assert f"debrief of #{prep_id} · active · open now" in chat.text()
    chat.says(f"/resume {prep_id}")
    assert "That session is complete" in chat.text() and "Your report" in chat.text()
    chat.says(f"/resume {debrief_id}")
    assert "Welcome back" in chat.text() and "question 1 of about 12" in chat.text()
    debriefed(chat)
    chat.says("/report")
    assert chat.text().startswith("Your debrief: Renewing my flat lease")


def test_progress_learns_from_the_debrief(chat: Chat) -> None:
    prepared(chat)
    chat.says("/progress")
    assert "Across your 1 completed negotiation (latest" in chat.text()
    assert "New this time: Power is not size, Trade across issues" in chat.text()
    chat.says("/debrief")
    debriefed(chat)
    chat.says("/progress")
    text = chat.text()
    assert "Across your 1 completed negotiation and 1 debrief" in text
    assert "Still with you: Trade across issues, A mediator is not your agent." in text
    assert "Overcome: Power is not size." in text


def test_a_session_on_a_script_no_longer_loaded_is_refused_politely(
    chat: Chat, service: CoachService, sessions: Database
) -> None:
    chat.says("/start")
    chat.presses("OK, let's start")
    session_id = service.list_sessions("console", "ana")[0].id
    with sessions.begin() as db:
        db.execute(
            repo.SESSIONS.update()
            .where(repo.SESSIONS.c.id == session_id)
            .values(script_id="retired")
        )
    chat.says("A raise")
    assert f"Session #{session_id} was made with questions this version" in chat.text()
    chat.says(f"/resume {session_id}")
    assert f"Session #{session_id} was made with questions" in chat.text()
    chat.says("/new")
    assert "A fresh start" in chat.text()
    assert chat.question().progress[0] == 1  # type: ignore[index]


def test_a_debrief_waits_for_the_negotiation_date_and_names_it(chat: Chat, clock: Clock) -> None:
    chat.says("/new")
    today = clock.now.date()
    for answer in persona_file.answers("one_issue_buyer", today):  # "the 14th of next month"
        chat.says(answer)
    assert "Your report" in chat.text()
    day = (today.replace(day=1) + timedelta(days=32)).replace(day=14)
    wait = (day - today).days
    chat.says("/debrief")
    said = chat.text()
    assert f"{day:%A} {day.day} {day:%B %Y}" in said
    assert "nothing to look back on yet" in said
    assert all(m.kind != "question" for m in chat.last)  # no debrief question was asked
    clock.now = clock.now + timedelta(days=wait - 1)
    chat.says("/debrief")
    assert "nothing to look back on yet" in chat.text()  # the day before: still waiting
    clock.now = clock.now + timedelta(days=1)
    chat.says("/debrief")
    assert "Let's look back at" in chat.text()
    assert chat.question().progress is not None


def test_a_rehearsed_preparation_is_asked_whether_a_rehearsed_moment_came_up(
    chat: Chat, service: CoachService
) -> None:
    prep_id = prepared(chat)
    chat.says("/rehearse")
    chat.says("We have other options too. What would make you keep the rent?")
    chat.says("stop")
    chat.says("/debrief")
    for answer in OUTCOME[:3]:
        chat.says(answer)
    asked = chat.question()
    assert "you rehearsed some hard moments (Power is not size). Did one of them" in asked.text
    chat.presses("Yes, but I still got caught")
    assert chat.question().question == "rate_outcome"
    data = service.export(prep_id)
    assert data is not None
    answers = {a["question"]: a["answer"] for a in data["debrief"]["answers"]}
    assert answers["rehearsed_came_up"] == "Yes, but I still got caught"


def test_a_preparation_never_rehearsed_is_not_asked_about_rehearsal(chat: Chat) -> None:
    prepared(chat)
    chat.says("/debrief")
    for answer in OUTCOME[:3]:
        chat.says(answer)
    assert "rehearsed" not in chat.question().text
