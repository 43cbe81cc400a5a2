"""The fake Bot API, driven by the real python-telegram-bot ``Bot`` over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

from tests.fakes import FakeBotApi


def keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])


async def test_get_me_identifies_the_bot(bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123, "parley_test_bot", True)


async def test_wrong_token_is_unauthorized(server: FakeBotApi) -> None:
    with pytest.raises(InvalidToken):
        async with telegram.Bot("999:WRONG", base_url=server.base_url):
            pass
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{server.base_url}999:WRONG/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_send_message_and_get_updates_offset_semantics(
    server: FakeBotApi, bot: telegram.Bot
) -> None:
    user = server.user(1001, "Ana")
    sent = await bot.send_message(1001, "Hello Ana")
    assert sent.text == "Hello Ana"
    assert sent.chat.id == 1001
    assert user.last_message().text == "Hello Ana"
    for text in ("one", "two", "three"):
        user.says(text)
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["one", "two", "three"]
    ids = [u.update_id for u in updates]
    assert ids == sorted(ids)
    assert len(await bot.get_updates()) == 3, "no offset: nothing is confirmed"
    again = await bot.get_updates(offset=ids[1])
    assert [u.update_id for u in again] == ids[1:]
    assert server.confirmed_offset == ids[1]
    assert [u.update_id for u in await bot.get_updates(limit=1)] == [ids[1]]
    assert await bot.get_updates(offset=ids[-1] + 1) == ()
    assert server.confirmed_offset == ids[-1] + 1
    assert server.pending_updates() == []
    message_ids = [m.message_id for m in user.user_messages()]
    assert message_ids == sorted(message_ids)
    assert message_ids[0] > sent.message_id


async def test_long_poll_returns_as_soon_as_the_user_speaks(
    server: FakeBotApi, bot: telegram.Bot
) -> None:
    user = server.user(1001, "Ana")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=20, read_timeout=30))
    await asyncio.sleep(0.3)
    assert not poll.done()
    user.says("I want a raise")
    updates = await asyncio.wait_for(poll, 5)
    assert time.monotonic() - started < 3
    assert updates[0].message is not None
    assert updates[0].message.text == "I want a raise"


async def test_long_poll_without_updates_waits_for_the_timeout(bot: telegram.Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


@pytest.mark.parametrize(
    "text", ["<b>unclosed", "a < b", "fish & chips", "<br>", "<b><i>x</b></i>"]
)
async def test_malformed_html_is_rejected(server: FakeBotApi, bot: telegram.Bot, text: str) -> None:
    server.user(1001)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(1001, text, parse_mode="HTML")


async def test_escaped_html_is_accepted(server: FakeBotApi, bot: telegram.Bot) -> None:
    user = server.user(1001)
    text = '<b>a &lt; b</b> &amp; <a href="https://x.org/?a=1&amp;b=2">link</a> &#8364;'
    sent = await bot.send_message(1001, text, parse_mode="HTML")
    assert sent.text == "a < b & link €"
    assert user.last_message().text == text
    assert user.last_message().parse_mode == "HTML"


async def test_text_length_limit(server: FakeBotApi, bot: telegram.Bot) -> None:
    server.user(1001)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(1001, "x" * 4097)
    await bot.send_message(1001, "x" * 4096)
    await bot.send_message(1001, f"<b>{'x' * 4096}</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(1001, "  ")


async def test_callback_data_limit_is_64_bytes(server: FakeBotApi, bot: telegram.Bot) -> None:
    server.user(1001)
    await bot.send_message(1001, "ok", reply_markup=keyboard("d" * 64))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(1001, "too long", reply_markup=keyboard("d" * 65))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(1001, "multibyte", reply_markup=keyboard("é" * 33))


async def test_unknown_method_and_parameters(server: FakeBotApi) -> None:
    server.user(1001)
    async with httpx.AsyncClient(base_url=f"{server.base_url}123:ABC/") as client:
        unknown = await client.post("sendMesage", json={"chat_id": 1001, "text": "hi"})
        missing = await client.post("sendMessage", data={"chat_id": "1001"})
        typo = await client.post("sendMessage", json={"chat_id": 1001, "text": "x", "parse": 1})
        unimplemented = await client.post("sendDice", json={"chat_id": 1001})
        any_case = await client.get("SENDMESSAGE", params={"chat_id": "1001", "text": "hi"})
    assert unknown.status_code == 404
    assert unknown.json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }
    assert missing.status_code == 400
    assert missing.json()["description"] == "Bad Request: parameter text is required"
    assert typo.status_code == 400
    assert "unknown parameter parse" in typo.json()["description"]
    assert unimplemented.json()["description"] == (
        "Bad Request: fake server does not implement sendDice"
    )
    assert any_case.json()["ok"] is True
    assert server.calls("sendMessage")[-1].params == {"chat_id": 1001, "text": "hi"}


async def test_missing_param_via_bot_post(server: FakeBotApi, bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)parameter chat_id is required"):
        await bot._post("sendChatAction", {"action": "typing"})


async def test_429_surfaces_as_retry_after(
    server: FakeBotApi, bot: telegram.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    server.user(1001)
    server.fail_next("sendMessage", error_code=429, retry_after=2)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1001, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=2)
    await bot.send_message(1001, "hi again")
    assert [c.status for c in server.calls("sendMessage")] == [429, 200]
    assert server.calls("sendMessage")[0].response["parameters"] == {"retry_after": 2}


@pytest.mark.parametrize("code", [500, 502])
async def test_server_errors_surface_as_network_errors(
    server: FakeBotApi, bot: telegram.Bot, code: int
) -> None:
    server.user(1001)
    server.fail_next(None, error_code=code, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(1001, "hi")
    await bot.send_message(1001, "recovered")


async def test_dropped_connection_is_a_network_error(server: FakeBotApi, bot: telegram.Bot) -> None:
    user = server.user(1001)
    server.drop_next("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(1001, "lost")
    await bot.send_message(1001, "delivered")
    assert [m.text for m in user.messages()] == ["delivered"]
    assert server.calls("sendMessage")[0].status == 0


async def test_blocked_user_is_forbidden(server: FakeBotApi, bot: telegram.Bot) -> None:
    server.user(1001)
    server.block(1001)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(1001, "hi")
    server.unblock(1001)
    await bot.send_message(1001, "hi")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(4242, "nobody")


async def test_send_document_multipart_is_recorded(server: FakeBotApi, bot: telegram.Bot) -> None:
    user = server.user(1001)
    content = b"%PDF-1.7\r\n\x00\xff binary\r\n--not-a-boundary\r\n"
    sent = await bot.send_document(
        1001,
        content,
        filename="offer.pdf",
        caption="<b>Your plan</b>",
        parse_mode="HTML",
        reply_markup=keyboard("v1:plan"),
    )
    assert sent.document is not None
    assert (sent.document.file_name, sent.document.file_size) == ("offer.pdf", len(content))
    assert sent.caption == "Your plan"
    message = user.last_message()
    assert message.document is not None
    assert (message.document.filename, message.document.content) == ("offer.pdf", content)
    assert message.buttons == [[("Go", "v1:plan")]]
    call = server.calls("sendDocument")[-1]
    assert call.files["document"].content == content
    assert call.params["chat_id"] == 1001
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_document(1001, b"x", filename="a.txt", caption="c" * 1025)


async def test_send_photo_and_chat_action(server: FakeBotApi, bot: telegram.Bot) -> None:
    user = server.user(1001)
    await bot.send_chat_action(1001, "typing")
    sent = await bot.send_photo(1001, b"\x89PNG fake", filename="chart.png", caption="chart")
    assert sent.photo
    assert user.chat_actions() == ["typing"]
    photo = user.last_message().photo
    assert photo is not None
    assert photo.content == b"\x89PNG fake"
    with pytest.raises(BadRequest):
        await bot.send_chat_action(1001, "dancing")


async def test_presses_produce_a_callback_query(server: FakeBotApi, bot: telegram.Bot) -> None:
    user = server.user(1001, "Ana")
    sent = await bot.send_message(1001, "Who?", reply_markup=keyboard("v1:them"))
    query_id = user.presses("Go")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None
    assert (query.id, query.data, query.from_user.id) == (query_id, "v1:them", 1001)
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert await query.answer("Noted")
    assert user.callback_answers()[0].text == "Noted"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")


async def test_edits_are_validated_and_recorded(server: FakeBotApi, bot: telegram.Bot) -> None:
    user = server.user(1001)
    sent = await bot.send_message(1001, "v1", reply_markup=keyboard("a"))
    edited = await bot.edit_message_text("v2", chat_id=1001, message_id=sent.message_id)
    assert isinstance(edited, telegram.Message)
    assert edited.text == "v2"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("v2", chat_id=1001, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=1001, message_id=999)
    await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=keyboard("b"))
    message = user.last_message()
    assert message.text == "v2"
    assert message.buttons == [[("Go", "b")]]
    assert [v.text for v in message.history] == ["v1", "v2"]
    assert await bot.delete_message(1001, sent.message_id)
    assert user.messages() == []
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(1001, sent.message_id)


async def test_commands_webhook_and_lifecycle_methods(
    server: FakeBotApi, bot: telegram.Bot
) -> None:
    await bot.set_my_commands([("start", "Start"), ("coach", "Practice a negotiation")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "coach"]
    assert [c["command"] for c in server.my_commands()] == ["start", "coach"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Bad-Command", "x")])
    assert await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
    assert await bot.close()
    assert await bot.log_out()


async def test_stop_is_fast_with_a_pending_long_poll() -> None:
    server = FakeBotApi().start()
    async with telegram.Bot("123:ABC", base_url=server.base_url) as real_bot:
        poll = asyncio.create_task(real_bot.get_updates(timeout=25, read_timeout=30))
        await asyncio.sleep(0.3)
        started = time.monotonic()
        await asyncio.to_thread(server.stop)
        assert time.monotonic() - started < 3
        assert await poll == ()
