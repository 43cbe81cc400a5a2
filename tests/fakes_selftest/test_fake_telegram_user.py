"""The test-side user helpers: realistic updates and waits against a running bot."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import telegram

from tests.fakes import FakeBotApi
from tests.fakes_selftest.echo_bot import EchoBot


def parse(update: dict[str, Any]) -> telegram.Update:
    """PTB must accept every update the fake produces, exactly as from Telegram."""
    return telegram.Update.de_json(update, None)


def test_updates_are_realistic_bot_api_json(server: FakeBotApi) -> None:
    user = server.user(1001, "Ana", last_name="Silva", username="ana")
    user.says("I want a raise")
    user.sends_command("/start", args="join-abc")
    user.sends_sticker()
    user.sends_photo(caption="my offer")
    user.sends_voice()
    user.sends_document("cv.pdf", b"%PDF", "application/pdf")
    user.sends_location()
    user.sends_contact()
    user.forwards("their offer")
    first = user.user_messages()[0]
    user.edits_message(first.message_id, "I want a big raise")
    updates = [parse(u) for u in server.pending_updates()]
    messages = [u.message for u in updates[:-1]]
    assert all(m is not None and m.chat.type == "private" for m in messages)
    text, command, sticker, photo, voice, doc, location, contact, forward = messages
    assert text is not None
    assert text.from_user is not None
    assert (text.text, text.from_user.username, text.chat.id) == ("I want a raise", "ana", 1001)
    assert command is not None
    assert command.text == "/start join-abc"
    assert command.parse_entities(["bot_command"])
    assert sticker is not None and sticker.sticker is not None
    assert photo is not None and photo.caption == "my offer" and photo.photo
    assert voice is not None and voice.voice is not None
    assert doc is not None and doc.document is not None
    assert doc.document.file_name == "cv.pdf"
    assert location is not None and location.location is not None
    assert contact is not None and contact.contact is not None
    assert forward is not None and forward.forward_origin is not None
    edited = updates[-1].edited_message
    assert edited is not None
    assert (edited.text, edited.message_id) == ("I want a big raise", first.message_id)


def test_conversation_with_a_running_bot(server: FakeBotApi, echo_bot: EchoBot) -> None:
    user = server.user(1001, "Ana")
    user.sends_command("/start", args="join-abc")
    assert user.wait_for_reply().text == "Welcome join-abc"
    user.says("hello")
    assert user.wait_for_reply().text == "echo: hello"
    second = user.wait_for_reply()
    assert second.parse_mode == "HTML"
    assert second.shown == "anything else?"
    user.says("menu")
    menu = user.wait_for_text("Who?")
    assert menu.buttons == [[("Me", "v1:me")], [("Them", "v1:them")]]
    user.presses("Them")
    assert user.wait_for(lambda m: m.text == "chose v1:them").message_id == menu.message_id
    assert user.wait_for_callback_answer().text == "noted"
    user.presses_data("v1:forged:1", message_id=menu.message_id)
    forged = user.wait_for_text("chose v1:forged:1")
    assert [v.text for v in forged.history] == ["Who?", "chose v1:them"]
    assert [a.data for a in user.callback_answers()] == ["v1:them", "v1:forged:1"]
    assert server.wait_for_call("answerCallbackQuery").ok


def test_group_chat(server: FakeBotApi, echo_bot: EchoBot) -> None:
    ana, bo = server.user(1001, "Ana"), server.user(1002, "Bo")
    group = server.group(chat_id=-1001234, title="Team")
    group.user_says(ana, "hi all")
    assert group.wait_for_reply().text == "echo: hi all"
    group.user_sends_command(bo, "/start")
    sent = group.user_messages()[-1]
    assert sent.text == "/start@parley_test_bot"
    assert sent.payload["chat"] == {"id": -1001234, "type": "supergroup", "title": "Team"}
    assert sent.payload["from"]["id"] == 1002
    assert ana.messages() == []


def test_waits_fail_with_the_chat_so_far(server: FakeBotApi) -> None:
    user = server.user(1001, "Ana")
    user.says("anyone there?")
    with pytest.raises(AssertionError, match=r"(?s)timed out.*Chat so far.*Ana: anyone there\?"):
        user.wait_for_reply(timeout=0.2)
    with pytest.raises(AssertionError, match="containing 'nope'"):
        user.wait_for_text("nope", timeout=0.1)
    with pytest.raises(AssertionError, match="sent nothing"):
        user.last_message()


def test_presses_fail_clearly(server: FakeBotApi) -> None:
    user = server.user(1001, "Ana")
    with pytest.raises(AssertionError, match="no inline keyboard"):
        user.presses("Them")
    markup = {"inline_keyboard": [[{"text": "Site", "url": "https://x.org"}]]}
    payload = {"chat_id": 1001, "text": "hi", "reply_markup": markup}
    assert httpx.post(f"{server.base_url}123:ABC/sendMessage", json=payload).json()["ok"]
    with pytest.raises(AssertionError, match=r"no button 'Them'.*\['Site'\]"):
        user.presses("Them")
    with pytest.raises(AssertionError, match="no callback_data"):
        user.presses("Site")
