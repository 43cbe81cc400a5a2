"""Telegram's bad days and the bot's: SIGKILL under load, flood control (429), blocked users."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest

from tests.e2e.telegram_process import (
    Coachee,
    ParleyProcess,
    check_transcripts,
    coachees,
    drive,
)
from tests.fakes import FakeBotApi, RecordedCall, TelegramUser

USERS = 20


def _fetched_ids(calls: list[RecordedCall]) -> set[int]:
    return {
        update["update_id"]
        for call in calls
        if call.method == "getUpdates" and call.ok
        for update in call.response.get("result", [])
    }


def _burst_then_kill(
    fake: FakeBotApi, parley: ParleyProcess, people: list[Coachee], confirmed: bool
) -> dict[str, Any]:
    """Every user types their next answers at once; SIGKILL as soon as the bot fetched them
    (``confirmed``: as soon as it confirmed their receipt to Telegram)."""
    state = fake.state
    with state.lock:
        first = state.next_update_id
        mark = len(state.recorded)
        burst: dict[int, int] = {}  # user -> last update id of their burst
        for person in people:
            if person.type_ahead(3):
                burst[person.user_id] = state.next_update_id - 1
    assert burst, "nobody had answers left to burst"

    last = max(burst.values())

    def fetched() -> bool:
        if confirmed:
            return state.confirmed_offset > last
        recent = itertools.islice(state.recorded, mark, None)
        return any(i >= first for i in _fetched_ids(list(recent)))

    assert state.wait_until(fetched, 10), "the bot did not fetch the burst"
    parley.kill()
    with state.lock:
        offset = state.confirmed_offset
        # Confirmed to Telegram (never sent again) yet unanswered when the bot died: only the
        # inbox or the outbox can still bring these answers to the user.
        durable = [
            p.user_id
            for p in people
            if p.user_id in burst and burst[p.user_id] < offset and not p.ready()
        ]
        before = _fetched_ids(state.recorded)
        pending = len(state.updates)
    return {"burst": burst, "durable": durable, "fetched": before, "pending": pending}


@pytest.mark.timeout(180)
def test_sigkill_under_load_then_restart_every_user_continues_with_nothing_lost_or_doubled(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    people = coachees(fake, USERS, first_id=7001)
    total = len(people)

    def answered(at_least: int) -> bool:
        return sum(p.index for p in people) >= at_least

    drive(fake, people, timeout=60, stop_when=lambda: answered(total * 6))
    # Round 1: kill the moment the burst was fetched (before its receipt could be confirmed).
    first = _burst_then_kill(fake, parley, people, confirmed=False)
    mark = len(fake.state.recorded)
    parley.start()
    drive(fake, people, timeout=60, stop_when=lambda: answered(total * 15))
    redelivered = _fetched_ids(fake.calls()[mark:]) & first["fetched"]

    # Round 2: kill once the burst is stored and confirmed, while it is being handled.
    second = _burst_then_kill(fake, parley, people, confirmed=True)
    parley.start()
    drive(fake, people, timeout=90, diagnostics=parley.output)

    print(
        f"round 1: {len(first['burst'])} bursts, {len(redelivered)} updates redelivered after "
        f"restart; round 2: {len(second['durable'])} users with a confirmed but unanswered "
        "burst at the kill"
    )
    assert redelivered, "round 1 should leave fetched, unconfirmed updates for redelivery"
    assert second["durable"], "round 2 should leave confirmed, unanswered updates in the inbox"
    check_transcripts(parley.database, people)
    for person in people:
        reports = [m for m in person.user.messages() if "Your report" in m.shown]
        assert reports, person.describe()


def _at_topic(user: TelegramUser) -> None:
    user.sends_command("/start")
    user.wait_for_text("Question 1 of about")
    user.presses("OK, let's start")
    user.wait_for_text("Question 2 of about")


def _sends_to(fake: FakeBotApi, chat_id: int, since: int = 0) -> list[RecordedCall]:
    return [
        c for c in fake.calls("sendMessage")[since:] if str(c.params.get("chat_id")) == str(chat_id)
    ]


@pytest.mark.timeout(60)
def test_rate_limited_reply_arrives_after_retry_after_without_blocking_other_chats(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    ana, bo = fake.user(8001, "Ana"), fake.user(8002, "Bo")
    _at_topic(ana)
    _at_topic(bo)
    since = len(fake.calls("sendMessage"))
    fake.fail_next("sendMessage", 429, retry_after=2)
    ana.says("A raise from my manager")
    limited = fake.state.wait_until(
        lambda: any(c.status == 429 for c in _sends_to(fake, 8001, since)), 10
    )
    assert limited, "the bot never tried to answer Ana"
    started = time.monotonic()
    bo.says("A new lease for the bakery")
    bo.wait_for_text("Question 3 of about", timeout=5)
    assert time.monotonic() - started < 1.5, "Bo waited for Ana's flood control"
    ana.wait_for_text("Question 3 of about", timeout=10)

    attempts = _sends_to(fake, 8001, since)
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.95, "retried before retry_after"
    [bo_reply] = [c for c in _sends_to(fake, 8002, since) if c.ok]
    assert bo_reply.at < attempts[1].at
    assert len([m for m in ana.messages() if m.shown.startswith("Question 3 of")]) == 1


def test_a_dropped_connection_is_retried_and_the_reply_still_arrives(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    ana = fake.user(8101, "Ana")
    _at_topic(ana)
    since = len(fake.calls("sendMessage"))
    fake.drop_next("sendMessage")
    ana.says("A raise from my manager")
    ana.wait_for_text("Question 3 of about", timeout=15)
    # The fake records only answered calls: one success, after the bot saw the drop and retried.
    assert [c.ok for c in _sends_to(fake, 8101, since)] == [True]
    assert "network error attempt=1" in parley.output(400)
    assert len([m for m in ana.messages() if m.shown.startswith("Question 3 of")]) == 1


@pytest.mark.timeout(60)
def test_blocked_user_is_not_retried_forever_and_others_are_still_served(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    cy, di = fake.user(8101, "Cy"), fake.user(8102, "Di")
    _at_topic(cy)
    _at_topic(di)
    since = len(fake.calls("sendMessage"))
    fake.block(cy.user_id)
    cy.says("A raise from my manager")
    cy.says("Salary or job")
    di.says("A new lease for the bakery")
    di.wait_for_text("Question 3 of about")
    di.presses("Lease or property")
    di.wait_for_text("Question 4 of about")
    time.sleep(2.5)
    tried = len(_sends_to(fake, cy.user_id, since))
    assert 1 <= tried <= 3, f"{tried} sendMessage attempts to a user who blocked the bot"
    time.sleep(1.5)
    assert len(_sends_to(fake, cy.user_id, since)) == tried, "still retrying a blocked user"

    parley.stop()
    parley.start()  # the start-up outbox sweep must not try again either
    di.presses("Two: me and them")
    di.wait_for_text("Question 5 of about")
    assert len(_sends_to(fake, cy.user_id, since)) == tried

    fake.unblock(cy.user_id)
    cy.sends_command("/start")
    assert cy.wait_for_reply().shown, "a user who unblocks and writes again is answered"
