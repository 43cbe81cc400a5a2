"""Reminders through the coach service with a clock the test moves: planning from the date
answer, time zones, changing, snoozing and stopping, and firing exactly once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.coach import callbacks
from bot.coach.service import CoachService
from bot.engine.content import Content
from bot.engine.script import ReminderPlan
from bot.reminders.schedule import parse_zone, plan_for, shown_time, to_utc
from bot.reminders.service import ReminderService
from storage import reminders as store
from storage import repository as repo
from storage.uow import Database
from tests import persona as persona_file
from tests.conftest import Chat, Clock

PERSONAS = Path(__file__).resolve().parents[1] / "personas"
PLAN = ReminderPlan(date="negotiation_date")
START = date(2026, 11, 25)  # the day of the clock fixture (tests/conftest.py): dates count from it


def day(offset: int) -> str:
    """The ISO date `offset` days after the injected clock's day."""
    return (START + timedelta(days=offset)).isoformat()


def at(offset: int, hour: int, minute: int = 0) -> str:
    """A due time as stored (UTC, ISO), `offset` days after the injected clock's day."""
    return f"{day(offset)}T{hour:02}:{minute:02}:00"


def persona_answers(name: str, chat: Chat) -> list[str]:
    return persona_file.answers(name, chat.service.clock().date())


def until_date(chat: Chat) -> Chat:
    """/start and the answers up to the negotiation date question (a salary negotiation)."""
    chat.says("/start")
    for answer in ["1", "A raise at Acme", "1", "1", "My manager", "1", "4", "4", "1"]:
        chat.says(answer)
    return chat


def pending(sessions: Database, user: str = "telegram:42") -> list[store.ReminderRow]:
    with sessions.begin() as db:
        found = repo.user_by_external_id(db, user)
        return store.pending_of(db, found.id) if found else []


def due_times(sessions: Database, user: str = "telegram:42") -> list[tuple[str, str]]:
    return [(r.kind, r.due_at.isoformat()) for r in pending(sessions, user)]


@pytest.fixture
def tg(service: CoachService) -> Chat:
    return Chat(service, user="42", channel="telegram")


@pytest.fixture
def reminders(service: CoachService) -> ReminderService:
    return ReminderService(service)


def fire_all_due(reminders: ReminderService) -> list[str | None]:
    """Fire every reminder due by the clock's now; the chat each went to (None: not sent)."""
    due = reminders.due("telegram", timedelta(0))
    return [reminders.fire(reminder_id) for reminder_id, _ in due]


# ---- time zones and due times -----------------------------------------------------------------
def test_checklist_and_debrief_times_follow_berlin_across_the_daylight_saving_change() -> None:
    winter = plan_for(date(2027, 3, 28), "Europe/Berlin", PLAN, datetime(2027, 1, 1))
    summer = plan_for(date(2027, 3, 29), "Europe/Berlin", PLAN, datetime(2027, 1, 1))
    # 27 March is still winter time (UTC+1); 28 and 30 March are summer time (UTC+2).
    assert winter == [
        ("checklist", datetime(2027, 3, 27, 8, 0)),
        ("debrief", datetime(2027, 3, 29, 16, 0)),
    ]
    assert summer == [
        ("checklist", datetime(2027, 3, 28, 7, 0)),
        ("debrief", datetime(2027, 3, 30, 16, 0)),
    ]
    assert shown_time(summer[0][1], "Europe/Berlin") == "Sun 28 Mar, 09:00"


def test_fixed_offsets_with_minutes_convert_both_ways() -> None:
    assert to_utc(date(2026, 12, 2), time(9, 0), "UTC+05:30") == datetime(2026, 12, 2, 3, 30)
    assert to_utc(date(2026, 12, 2), time(9, 0), "UTC-03:00") == datetime(2026, 12, 2, 12, 0)
    assert shown_time(datetime(2026, 12, 2, 3, 30), "UTC+05:30") == "Wed 2 Dec, 09:00"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("UTC+05:30", "UTC+05:30"),
        ("utc-3", "UTC-03:00"),
        ("GMT+0545", "UTC+05:45"),
        ("UTC", "UTC"),
        ("UTC+0", "UTC"),
    ],
)
def test_time_zones_are_accepted_as_iana_names_or_offsets(typed: str, stored: str) -> None:
    assert parse_zone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "{{ 7*7 }}",
        "Mars/Olympus",
        "../../etc/passwd",
        "UTC+15",
        "UTC-13",
        "UTC+05:20",
        "",
        "x" * 500,
    ],
)
def test_anything_else_is_not_a_time_zone(typed: str) -> None:
    assert parse_zone(typed) is None


# ---- planning from the conversation -----------------------------------------------------------
def test_answering_the_date_plans_a_checklist_and_a_debrief_in_utc_with_a_note(
    tg: Chat, sessions: Database
) -> None:
    until_date(tg)
    tg.says(day(8))
    assert due_times(sessions) == [
        ("checklist", at(7, 9)),
        ("debrief", at(9, 18)),
    ]
    assert "a short checklist on Wed 2 Dec, 09:00" in tg.text()
    assert "times in UTC" in tg.text() and "/timezone Europe/Berlin" in tg.text()
    assert "who needs an agreement more" in tg.question().text  # the dialogue goes on


def test_a_reminder_whose_time_has_passed_is_not_planned(
    tg: Chat, sessions: Database, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 25, 10, 0)  # the checklist for tomorrow was due at 09:00
    until_date(tg)
    tg.says("tomorrow")
    assert due_times(sessions) == [("debrief", at(2, 18))]


def test_the_users_time_zone_is_used_and_pending_reminders_keep_their_local_time(
    tg: Chat, sessions: Database
) -> None:
    until_date(tg)
    tg.says("/timezone Europe/Berlin")
    assert "now Europe/Berlin" in tg.text()
    tg.says(day(8))
    assert due_times(sessions)[0] == ("checklist", at(7, 8))
    assert "(Europe/Berlin time)" in tg.text() and "UTC" not in tg.text()
    tg.says("/timezone UTC+05:30")
    assert due_times(sessions) == [
        ("checklist", at(7, 3, 30)),
        ("debrief", at(9, 12, 30)),
    ]
    tg.says("/reminders")
    assert "Wed 2 Dec, 09:00: checklist" in tg.text() and "UTC+05:30 time" in tg.text()


def test_a_bad_time_zone_is_quoted_literally_and_changes_nothing(
    tg: Chat, sessions: Database
) -> None:
    until_date(tg)
    tg.says(day(8))
    tg.says("/timezone {{ 7*7 }} <b>")
    assert "I don't know the time zone “{{ 7*7 }} &lt;b&gt;”" in tg.text()
    assert "49" not in tg.text()
    assert due_times(sessions)[0] == ("checklist", at(7, 9))
    tg.says("/timezone")
    assert "Your time zone is UTC (the default" in tg.text()


def test_answering_the_date_again_replaces_the_old_reminders(
    tg: Chat, sessions: Database, reminders: ReminderService, clock: Clock
) -> None:
    until_date(tg)
    tg.says(day(8))
    old = [r.id for r in pending(sessions)]
    tg.says("/back")
    tg.says(day(15))
    assert due_times(sessions) == [
        ("checklist", at(14, 9)),
        ("debrief", at(16, 18)),
    ]
    clock.now = datetime(2026, 12, 5)  # the old reminders' times have passed: they stay quiet
    assert all(reminders.fire(reminder_id) is None for reminder_id in old)
    assert fire_all_due(reminders) == []


def test_reminders_date_changes_the_date_and_refuses_the_past(tg: Chat, sessions: Database) -> None:
    until_date(tg)
    tg.says(day(8))
    tg.says("/reminders date 2020-01-01")
    assert "2020-01-01 has already passed" in tg.text()
    tg.says("/reminders date whenever-ish {{ 7*7 }}")
    assert "read that date" in tg.text() and "49" not in tg.text()
    assert due_times(sessions)[0] == ("checklist", at(7, 9))
    tg.says(f"/reminders date {day(25)}")
    assert f"“A raise at Acme” is now {day(25)}" in tg.text()
    assert due_times(sessions) == [
        ("checklist", at(24, 9)),
        ("debrief", at(26, 18)),
    ]
    tg.says("/report")  # the session itself still waits at the same question
    assert "question 11 of about" in tg.text()


def test_reminders_date_without_a_session_says_so(tg: Chat) -> None:
    tg.says(f"/reminders date {day(25)}")
    assert "no session open" in tg.text()


def test_snooze_moves_the_next_reminder_a_day(tg: Chat, sessions: Database) -> None:
    until_date(tg)
    tg.says("/snooze")
    assert "no reminder to snooze" in tg.text()
    tg.says(day(8))
    tg.says("/snooze")
    assert "checklist will come on Thu 3 Dec, 09:00" in tg.text()
    assert due_times(sessions) == [
        ("checklist", at(8, 9)),
        ("debrief", at(9, 18)),
    ]


def test_stopped_reminders_never_fire_and_new_dates_plan_none_until_turned_on(
    tg: Chat, sessions: Database, reminders: ReminderService, clock: Clock
) -> None:
    until_date(tg)
    tg.says(day(8))
    planned = [r.id for r in pending(sessions)]
    tg.says("/stop")
    assert "2 planned reminders cancelled" in tg.text()
    tg.says(f"/reminders date {day(15)}")
    assert "reminders are off" in tg.text()
    assert pending(sessions) == []
    clock.now = datetime(2027, 1, 1)
    assert [reminders.fire(reminder_id) for reminder_id in planned] == [None, None]
    tg.says("/reminders")
    assert "Your reminders are off" in tg.text()
    clock.now = datetime(2026, 11, 26)
    tg.says("/reminders on")
    assert due_times(sessions) == [
        ("checklist", at(14, 9)),
        ("debrief", at(16, 18)),
    ]


# ---- firing -----------------------------------------------------------------------------------
def test_the_checklist_quotes_the_users_words_escaped_with_the_top_risk_and_fires_once(
    tg: Chat, service: CoachService, reminders: ReminderService, clock: Clock
) -> None:
    tg.says("/start")
    for answer in persona_answers("peace_talks_hostile_text", tg):
        tg.says(answer)
    assert "Your report" in tg.text()
    clock.now = datetime(2027, 1, 14, 9, 0)
    [(checklist_id, _due)] = reminders.due("telegram", None)[:1]
    before = len(service.pending("telegram"))
    assert reminders.fire(checklist_id) == "42"
    assert reminders.fire(checklist_id) is None
    [message] = service.pending("telegram")[before:]
    assert "Your negotiation “{{ 7*7 }} ceasefire talks" in message.text
    assert "on Fri 15 Jan" in message.text
    assert "Back to the UN-led track &lt;i&gt;next spring&lt;/i&gt; {{ 7*7 }}" in message.text
    assert "{{ 7*7 }} &lt;b&gt;Shalom&lt;/b&gt;, سلام: we are here" in message.text
    assert "(watch): Talk where deals get made. Your action: Ask for a one-to-one" in message.text
    assert "isn't finished" not in message.text and "49" not in message.text


def test_a_checklist_for_an_unfinished_session_says_what_is_missing(
    tg: Chat, service: CoachService, reminders: ReminderService, clock: Clock
) -> None:
    until_date(tg)
    tg.says(day(8))
    clock.now = datetime(2026, 12, 2, 9, 0, 1)
    assert fire_all_due(reminders) == ["42"]
    text = service.pending("telegram")[-1].text
    assert "walk-away alternative: not written down yet" in text
    assert "can't name your top risk yet: /resume 1 continues it" in text


def test_the_debrief_invitation_offers_the_debrief_and_asking_again_tomorrow(
    tg: Chat,
    service: CoachService,
    reminders: ReminderService,
    clock: Clock,
    sessions: Database,
) -> None:
    until_date(tg)
    tg.says(day(8))
    clock.now = datetime(2026, 12, 4, 18, 0)
    assert fire_all_due(reminders) == ["42", "42"]
    invitation = service.pending("telegram")[-1]
    assert "How did your negotiation “A raise at Acme” go on Thu 3 Dec?" in invitation.text
    labels = dict(invitation.options)
    assert labels["Start the debrief"] == callbacks.make("d", 1)
    reply = tg.send(button=labels["Ask me tomorrow"])
    assert reply.pressed == "accepted" and "ask again on Sat 5 Dec, 18:00" in tg.text()
    assert due_times(sessions) == [("debrief", at(10, 18))]
    again = tg.send(button=labels["Ask me tomorrow"])
    assert again.pressed == "stale" and len(pending(sessions)) == 1


def test_a_forgotten_user_gets_no_reminder(
    tg: Chat, reminders: ReminderService, clock: Clock, service: CoachService
) -> None:
    until_date(tg)
    tg.says(day(8))
    planned = [reminder_id for reminder_id, _ in reminders.due("telegram")]
    tg.says("/forget")
    tg.presses("Yes, delete everything")
    clock.now = datetime(2027, 1, 1)
    assert [reminders.fire(reminder_id) for reminder_id in planned] == [None, None]
    assert service.pending("telegram", "42")[-1].text.startswith("Done: everything")


def test_a_user_who_blocked_the_bot_gets_no_reminder(
    tg: Chat, reminders: ReminderService, clock: Clock, service: CoachService
) -> None:
    until_date(tg)
    tg.says(day(8))
    service.user_blocked("telegram", "42", "42")
    clock.now = datetime(2027, 1, 1)
    assert fire_all_due(reminders) == [None, None]
    assert reminders.due("telegram") == []


# ---- buttons and the listing ------------------------------------------------------------------
def test_the_listing_offers_snooze_and_stop_buttons_that_work(tg: Chat, sessions: Database) -> None:
    until_date(tg)
    tg.says(day(8))
    tg.says("/reminders")
    assert "Wed 2 Dec, 09:00: checklist for “A raise at Acme”" in tg.text()
    assert tg.presses("Snooze the next one a day").pressed == "accepted"
    assert due_times(sessions)[0] == ("checklist", at(8, 9))
    tg.says("/reminders")
    assert tg.presses("Stop reminders").pressed == "accepted"
    assert pending(sessions) == []


def test_another_users_reminder_button_is_refused_without_saying_whether_it_exists(
    tg: Chat, service: CoachService, sessions: Database
) -> None:
    until_date(tg)
    tg.says(day(8))
    tg.says("/reminders")
    snooze = tg.button("Snooze the next one a day")
    stop = tg.button("Stop reminders")
    eve = Chat(service, user="66", channel="telegram")
    eve.says("/start")
    for data in (snooze, stop, callbacks.make("m", 1, 999_999)):
        reply = eve.send(button=data)
        assert reply.pressed == "refused"
        assert "doesn't belong to your conversation" in eve.text()
    assert len(pending(sessions)) == 2
    own = pending(sessions)[0].id
    assert tg.send(button=f"v1:m:7:{own}").pressed == "refused"
    assert "read that button" in tg.text()
    assert len(pending(sessions)) == 2


def test_a_snooze_button_for_a_reminder_already_sent_is_stale(
    tg: Chat, reminders: ReminderService, clock: Clock
) -> None:
    until_date(tg)
    tg.says(day(8))
    tg.says("/reminders")
    snooze = tg.button("Snooze the next one a day")
    clock.now = datetime(2026, 12, 2, 9, 0)
    assert fire_all_due(reminders) == ["42"]
    assert tg.send(button=snooze).pressed == "stale"
    assert "already been sent or changed" in tg.text()


def test_the_console_lists_reminders_but_never_sends_them(
    chat: Chat, reminders: ReminderService
) -> None:
    until_date(chat)
    chat.says(day(8))
    # No promise of a checklist "on Wed 2 Dec" that never comes: what the console can do.
    assert "I'll send you" not in chat.text() and "Wed 2 Dec" not in chat.text()
    assert "This terminal can't send you messages" in chat.text()
    assert "send /report" in chat.text()
    chat.says("/reminders")
    assert "Wed 2 Dec, 09:00: checklist" in chat.text()
    assert reminders.due("telegram") == [] and reminders.due("console") != []


def test_the_reminder_block_must_name_a_date_question(content: Content) -> None:
    from bot.engine.errors import ScriptError
    from bot.engine.script import parse_script

    raw = content.script.model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["reminders"] = {"date": "topic"}
    with pytest.raises(ScriptError, match="must name a date question"):
        parse_script(raw, "coach.yaml")
    raw["reminders"] = {"date": "negotiation_date", "opening": "nope"}
    with pytest.raises(ScriptError, match="unknown question 'nope'"):
        parse_script(raw, "coach.yaml")
    raw["reminders"] = {"date": "negotiation_date", "checklist_at": 540}
    with pytest.raises(ScriptError, match="HH:MM"):
        parse_script(raw, "coach.yaml")
