"""Cohorts on Telegram, through the coach service: granting, inviting with consent, sharing,
leaving, /privacy, and the instructor's /students, /review and /feedback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.coach import callbacks
from bot.coach.ids import MAX_ROW_ID
from bot.courses.service import NotAnInstructorError
from bot.courses.types import CourseSettings
from bot.engine.content import Content
from storage.uow import Database
from tests.conftest import Clock
from tests.courses.classroom import ANA, BEN, OKAFOR, RIVERA, Classroom, TelegramChat, tg


@pytest.fixture
def school(sessions: Database, content: Content, clock: Clock) -> Iterator[Classroom]:
    room = Classroom(sessions, content, clock)
    yield room
    room.close()


@pytest.fixture
def empty_school(sessions: Database, content: Content, clock: Clock) -> Iterator[Classroom]:
    """Cohorts and members, but nobody has completed a session yet."""
    room = Classroom(sessions, content, clock, complete=None)
    yield room
    room.close()


def spring_id(school: Classroom) -> int:
    return school.cohort_id(RIVERA)


# ---- roles and cohorts ------------------------------------------------------------------------
def test_only_admins_grant_the_instructor_role(school: Classroom) -> None:
    school.rivera.says(f"/grant {ANA}")
    assert "Only admins" in school.rivera.text()
    assert not school.viewer(ANA).is_instructor
    school.admin.says("/grant someone")
    assert "Telegram user id" in school.admin.text()
    school.admin.says("/grant 777 Dr <b>Lee</b>")
    assert "Dr &lt;b&gt;Lee&lt;/b&gt; (Telegram id 777) is now an instructor" in school.admin.text()


def test_an_instructor_can_be_granted_before_they_ever_wrote(school: Classroom) -> None:
    info = school.courses.add_instructor(555, "Dr Quinn", "cli")
    assert info.created and info.name == "Dr Quinn"
    cohort = school.courses.create_cohort("Winter", 555)
    assert cohort.instructors == ["Dr Quinn"]
    assert school.courses.add_instructor(555, None, "cli").created is False


def test_creating_a_cohort_needs_an_instructor_and_gives_an_unguessable_code(
    school: Classroom,
) -> None:
    with pytest.raises(NotAnInstructorError):
        school.courses.create_cohort("Sneaky", ANA)
    with pytest.raises(NotAnInstructorError):
        school.courses.create_cohort("Nobody", 99999)
    codes = {school.courses.create_cohort(f"C{i}", RIVERA).invite_code for i in range(20)}
    assert len(codes) == 20
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{20,32}", code) for code in codes)
    school.ana.says("/cohort new Mine")
    assert "for instructors" in school.ana.text()


def test_cohort_lists_my_cohorts_with_their_invite_links(school: Classroom) -> None:
    school.rivera.says("/cohort")
    text = school.rivera.text()
    assert "“Spring” · 1 student ·" in text
    assert f"https://t.me/parley_test_bot?start=join-{school.spring_code}" in text
    assert "Autumn" not in text


def test_cohort_names_are_shown_literally_and_kept_short(school: Classroom) -> None:
    school.rivera.says("/cohort new {{ 7*7 }} <i>Evening</i>")
    assert "Cohort “{{ 7*7 }} &lt;i&gt;Evening&lt;/i&gt;” is ready" in school.rivera.text()
    school.rivera.says("/cohort new " + "x" * 4000)
    assert "A cohort name is 1 to 80 characters" in school.rivera.text()
    school.rivera.says("/cohort rename Spring")
    assert "Send /cohort new followed by a name" in school.rivera.text()


# ---- joining ------------------------------------------------------------------------------------
def test_an_invitation_shows_who_reads_and_joins_only_on_agree(school: Classroom) -> None:
    carla = tg(school.coach, 202, "Carla")
    carla.says(f"/start join-{school.spring_code}")
    assert "Dr Rivera will read the transcripts" in carla.text()
    assert [label for m in carla.last for label, _ in m.options] == ["I agree, join", "No thanks"]
    assert school.courses.memberships(school.user_id(202)) == []
    carla.presses("No thanks")
    assert "You haven't joined" in carla.text()
    assert school.courses.memberships(school.user_id(202)) == []
    carla.says(f"/start join-{school.spring_code}")
    carla.presses("I agree, join")
    assert "You've joined “Spring”" in carla.text()
    assert carla.question().question == "consent"  # a new student starts preparing at once
    [membership] = school.courses.memberships(school.user_id(202))
    assert membership.cohort_name == "Spring" and len(membership.shared) == 1


def test_a_wrong_invite_code_is_answered_clearly(school: Classroom) -> None:
    school.ana.says("/start join-not-a-real-code")
    assert "That invitation link doesn't work" in school.ana.text()
    school.ana.says("/start join-" + "x" * 300)
    assert "That invitation link doesn't work" in school.ana.text()


def test_a_forged_join_button_never_joins_a_cohort(school: Classroom) -> None:
    autumn = school.cohort_id(OKAFOR)
    reply = school.ana.send(button=callbacks.make("cj", autumn, 1))
    assert reply.pressed == "stale"
    assert "no longer waiting" in school.ana.text()
    assert [m.cohort_name for m in school.courses.memberships(school.user_id(ANA))] == ["Spring"]
    # Opening Spring's link does not let the Agree button of another cohort through either.
    school.ana.says("/start join-" + school.autumn_code)
    school.ana.send(button=callbacks.make("cj", 987654, 1))
    assert "no longer waiting" in school.ana.text()


# ---- sharing ------------------------------------------------------------------------------------
def test_sessions_before_joining_stay_private_unless_the_student_shares_them(
    school: Classroom,
) -> None:
    dan = tg(school.coach, 203, "Dan")
    Classroom.complete(dan, "salary_well_prepared")
    earlier = school.session_of(203)
    Classroom.join(dan, school.spring_code)
    assert "share an earlier session" in dan.text()
    rivera = school.viewer(RIVERA)
    assert school.courses.session_review(rivera, earlier, "web") is None
    [offer] = [
        data for m in dan.last for label, data in m.options if label.startswith(f"#{earlier} ")
    ]
    dan.send(button=offer)
    assert "Shared “Job offer from Northwind Labs" in dan.text()
    assert school.courses.session_review(rivera, earlier, "web") is not None


def test_share_refuses_another_students_session(school: Classroom) -> None:
    school.ana.says(f"/share {school.session_of(BEN)}")
    assert "I can't share that" in school.ana.text()
    reply = school.ana.send(button=callbacks.make("cs", school.session_of(BEN), spring_id(school)))
    assert reply.pressed == "refused"
    assert (
        school.courses.session_review(school.viewer(RIVERA), school.session_of(BEN), "web") is None
    )
    school.ana.says("/share twelve")
    assert "Send /share followed by a session number" in school.ana.text()


def test_after_leaving_new_sessions_are_private_and_shared_ones_stay_if_kept(
    school: Classroom,
) -> None:
    shared = school.session_of(ANA)
    school.ana.says("/leave")
    assert "the 1 session you already shared" in school.ana.text()
    school.ana.presses("Leave, keep them shared")
    assert "stay readable by its instructors" in school.ana.text()
    Classroom.complete(school.ana, "salary_well_prepared")
    rivera = school.viewer(RIVERA)
    assert school.courses.session_review(rivera, school.session_of(ANA), "web") is None
    assert school.courses.session_review(rivera, shared, "web") is not None
    overview = school.courses.cohort_overview(rivera, spring_id(school))
    assert overview is not None and [(s.name, s.member) for s in overview.students] == [
        ("Ana", False)
    ]


def test_leaving_and_withdrawing_takes_back_every_shared_session(school: Classroom) -> None:
    shared = school.session_of(ANA)
    school.ana.says("/leave")
    school.ana.presses("Leave and withdraw them")
    assert "withdrawn" in school.ana.text()
    rivera = school.viewer(RIVERA)
    assert school.courses.session_review(rivera, shared, "web") is None
    overview = school.courses.cohort_overview(rivera, spring_id(school))
    assert overview is not None and overview.students == []
    again = school.ana.send(button=callbacks.make("cl", spring_id(school), 1))
    assert again.pressed == "stale" and "not in a cohort" in school.ana.text()


# ---- privacy ------------------------------------------------------------------------------------
def test_privacy_lists_cohorts_what_is_shared_and_who_read_it(school: Classroom) -> None:
    session_id = school.session_of(ANA)
    school.rivera.says(f"/review {session_id}")
    school.courses.session_review(school.viewer(RIVERA), session_id, "web")
    school.ana.says("/privacy")
    text = school.ana.text()
    assert "Cohort “Spring”, read by Dr Rivera." in text
    assert f"Shared with it: #{session_id} " in text
    assert f"2026-11-25 09:00 UTC · Dr Rivera · #{session_id}" in text
    assert "in Telegram" in text and "on the review site" in text
    school.ben.says("/privacy")
    assert "Dr Rivera" not in school.ben.text()


# ---- review on Telegram -------------------------------------------------------------------------
def test_students_then_sessions_then_review_gives_levels_and_the_html_transcript(
    school: Classroom,
) -> None:
    school.rivera.says("/students")
    assert "Students in “Spring”" in school.rivera.text()
    school.rivera.presses("Ana (1)")
    assert "Ana's sessions shared with “Spring”" in school.rivera.text()
    session_id = school.session_of(ANA)
    label = next(label for m in school.rivera.last for label, _ in m.options)
    reply = school.rivera.presses(label)
    assert reply.pressed == "accepted"
    summary = school.rivera.text()
    assert f"session #{session_id}, completed" in summary
    assert "Trade across issues: risk" in summary
    assert "package." in summary  # a fired rule's id with the evidence
    [document] = school.rivera.documents()
    assert document.attachment is not None
    assert document.attachment.filename == f"parley-review-{session_id}.html"
    page = document.attachment.data.decode()
    assert "<h2>Transcript</h2>" in page and "Ana ·" in page
    [entry] = school.courses.access_log_for(school.user_id(ANA))
    assert (entry.viewer_name, entry.via) == ("Dr Rivera", "telegram")


def test_what_an_instructor_reviews_is_not_copied_into_their_own_transcript(
    school: Classroom,
) -> None:
    school.rivera.says("/new")  # Rivera prepares a negotiation of her own
    school.rivera.says(f"/review {school.session_of(ANA)}")
    own = school.coach.export(school.session_of(RIVERA))
    assert own is not None
    assert not any("Review of" in line["text"] for line in own["transcript"])


def test_transcripts_with_markup_come_out_inert_in_the_review_document(
    empty_school: Classroom,
) -> None:
    ana = empty_school.ana
    ana.says("/new")
    ana.says("1")
    ana.says('<script>alert(1)</script> {{ 7*7 }} <a href="javascript:alert(2)">x</a>')
    ana.says("javascript:alert(3)")
    empty_school.rivera.says(f"/review {empty_school.session_of(ANA)}")
    [document] = empty_school.rivera.documents()
    assert document.attachment is not None
    page = document.attachment.data.decode()
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in page
    assert "&lt;a href=&#34;javascript:alert(2)&#34;&gt;x&lt;/a&gt;" in page
    assert "<a " not in page and "javascript:alert(3)" in page
    assert "Content-Security-Policy" in page


def test_feedback_reaches_the_student_and_stays_in_the_transcript(school: Classroom) -> None:
    session_id = school.session_of(ANA)
    school.rivera.says(f"/feedback {session_id} Strong <b>alternatives</b> {{{{ 7*7 }}}}")
    assert "Sent to Ana" in school.rivera.text()
    [note] = [m for m in school.coach.pending("telegram", str(ANA)) if "Feedback" in m.text]
    assert note.text.startswith("Feedback from Dr Rivera on “")
    assert "Strong &lt;b&gt;alternatives&lt;/b&gt; {{ 7*7 }}" in note.text
    export = school.coach.export(session_id)
    assert export is not None
    assert export["transcript"][-1]["text"] == (
        "Feedback from Dr Rivera: Strong <b>alternatives</b> {{ 7*7 }}"
    )
    review = school.courses.session_review(school.viewer(RIVERA), session_id, "web")
    assert review is not None and [f.author for f in review.feedback] == ["Dr Rivera"]


def test_feedback_needs_an_id_and_a_note_of_reasonable_length(school: Classroom) -> None:
    session_id = school.session_of(ANA)
    school.rivera.says("/feedback")
    assert "Send /feedback and the session number" in school.rivera.text()
    school.rivera.says("/feedback twelve Good work")
    assert "Send /feedback and the session number" in school.rivera.text()
    school.rivera.says(f"/feedback {session_id} " + "x" * 2500)
    assert "at most 2000 characters" in school.rivera.text()


def test_other_peoples_ids_get_the_same_polite_answer_as_missing_ones(
    school: Classroom,
) -> None:
    okafor: TelegramChat = school.okafor
    answers = []
    for ident in (school.session_of(ANA), 987654, 10**10):
        okafor.says(f"/review {ident}")
        answers.append(okafor.text())
        okafor.says(f"/feedback {ident} hello")
        answers.append(okafor.text())
        reply = okafor.send(button=callbacks.make("cv", ident))
        assert reply.pressed == "refused"
        if ident > MAX_ROW_ID:  # no row can have it: refused as unreadable
            assert "couldn't read that button" in okafor.text()
        else:
            answers.append(okafor.text())
    assert len(set(answers)) == 1 and "can't find that" in answers[0]
    reply = okafor.send(button=callbacks.make("cu", spring_id(school), school.user_id(ANA)))
    assert reply.pressed == "refused" and okafor.text() == answers[0]
    assert school.courses.access_log_for(school.user_id(ANA)) == []
    school.ana.says(f"/review {school.session_of(ANA)}")
    assert "for instructors" in school.ana.text()


def test_help_mentions_instructor_commands_only_to_instructors(school: Classroom) -> None:
    school.rivera.says("/help")
    assert "/students your students" in school.rivera.text()
    assert "/grant" not in school.rivera.text()
    school.admin.says("/help")
    assert "/grant TELEGRAM_ID" in school.admin.text()
    school.ana.says("/help")
    assert "/students" not in school.ana.text()
    assert "/leave leaves it" in school.ana.text()


def test_web_gives_everyone_a_one_time_sign_in_link_kept_out_of_transcripts(
    school: Classroom,
) -> None:
    school.rivera.says("/web")
    assert "isn't set up on this server" in school.rivera.text()
    courses = school.coach.setting(CourseSettings)
    school.coach.configure(
        replace(courses, web_base_url="https://review.example", web_secret="s" * 32)
    )
    school.rivera.says("/new")
    school.rivera.says("/web")
    link = re.search(r"https://review\.example/login\?token=\S+", school.rivera.text())
    assert link, school.rivera.text()
    own = school.coach.export(school.session_of(RIVERA))
    assert own is not None and not any("token=" in line["text"] for line in own["transcript"])
    school.ana.says("/web")  # a student: the site shows her own sessions
    assert re.search(r"https://review\.example/login\?token=\S+", school.ana.text())
    mine = school.coach.export(school.session_of(ANA))
    assert mine is not None and not any("token=" in line["text"] for line in mine["transcript"])
