"""Telegram's content rules as the fake applies them (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import ApiError
from tests.fakes.api_spec import load_spec
from tests.fakes.rules import check_text, parse_html, parse_reply_markup


@pytest.mark.parametrize(
    ("html", "visible"),
    [
        ("<b>bold</b> <strong>s</strong> <i>i</i> <em>e</em>", "bold s i e"),
        ("<u>u</u><ins>i</ins><s>s</s><strike>k</strike><del>d</del>", "uiskd"),
        ('<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>', "xy"),
        ('<a href="tg://user?id=1">me</a>', "me"),
        ('<pre><code class="language-python">a &lt; b</code></pre>', "a < b"),
        ("<blockquote expandable>quote</blockquote>", "quote"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("<B>case</B> 1 &gt; 0 &quot;q&quot; &#x41;&#66;", 'case 1 > 0 "q" AB'),
        ("<b>bold <i>both</i></b>", "bold both"),
    ],
)
def test_valid_telegram_html(html: str, visible: str) -> None:
    assert parse_html(html) == visible


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>unclosed", 'end tag corresponding to start tag "b"'),
        ("a < b", 'Unexpected "<" at byte offset 2'),
        ("x </b>", 'Unexpected end tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("line<br/>", 'Unsupported start tag "br"'),
        ("<span>x</span>", 'class "tg-spoiler"'),
        ("<a>x</a>", 'attribute "href"'),
        ("<code><b>x</b></code>", 'can\'t be nested in "code"'),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "can't be nested"),
        ("fish & chips", 'Character "&"'),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
        ("é <", "byte offset 3"),
    ],
)
def test_invalid_telegram_html(html: str, error: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_html(html)
    assert caught.value.error_code == 400
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")
    assert error in caught.value.description


def test_text_length_counts_visible_characters() -> None:
    assert check_text("<b>" + "x" * 4096 + "</b>", "HTML") == "x" * 4096
    assert check_text("&lt;" * 4096, "HTML") == "<" * 4096
    with pytest.raises(ApiError, match="message is too long"):
        check_text("&lt;" * 4097, "HTML")


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ('{"inline_keyboard": [[{"text": "", "callback_data": "x"}]]}', "BUTTON_TEXT_INVALID"),
        ('{"inline_keyboard": [[{"text": "a", "callback_data": ""}]]}', "BUTTON_DATA_INVALID"),
        ('{"inline_keyboard": [[{"text": "a"}]]}', "Text buttons are unallowed"),
        ('{"inline_keyboard": [{"text": "a"}]}', "Array of Array"),
        ('{"inline_keyboard": [[{"text": "a", "url": "ftp://x"}]]}', "BUTTON_URL_INVALID"),
        ("not json", "can't parse reply keyboard markup"),
    ],
)
def test_invalid_reply_markup(markup: str, error: str) -> None:
    with pytest.raises(ApiError, match=error):
        parse_reply_markup(markup)


def test_reply_markup_accepts_objects_and_other_keyboards() -> None:
    inline = {"inline_keyboard": [[{"text": "a", "callback_data": "é" * 32}]]}
    assert parse_reply_markup(inline) == inline
    assert parse_reply_markup('{"keyboard": [["yes", "no"]]}') == {"keyboard": [["yes", "no"]]}
    assert parse_reply_markup({"remove_keyboard": True}) == {"remove_keyboard": True}


def test_spec_lookup_is_case_insensitive_and_decodes_strings() -> None:
    spec = load_spec()
    method = spec.lookup("SENDmessage")
    assert method is not None
    assert method.name == "sendMessage"
    params = spec.validate(
        method,
        {
            "chat_id": "-1001",
            "text": "42",
            "disable_notification": "true",
            "reply_markup": '{"inline_keyboard": []}',
        },
    )
    assert params == {
        "chat_id": -1001,
        "text": "42",
        "disable_notification": True,
        "reply_markup": {"inline_keyboard": []},
    }
    assert spec.lookup("sendMesage") is None
    with pytest.raises(ApiError, match="must be an Integer"):
        spec.validate(method, {"chat_id": 1, "text": "x", "message_thread_id": "abc"})


def test_spec_path_can_be_overridden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    custom = tmp_path / "api.json"
    custom.write_text('{"methods": {"getMe": {"name": "getMe"}}}', encoding="utf-8")
    monkeypatch.setenv("PARLEY_BOT_API_SPEC", str(custom))
    spec = load_spec()
    assert list(spec.methods) == ["getme"]
    monkeypatch.setenv("PARLEY_BOT_API_SPEC", str(custom.with_name("missing.json")))
    with pytest.raises(FileNotFoundError, match="PARLEY_BOT_API_SPEC"):
        load_spec()
