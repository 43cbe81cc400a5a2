"""Telegram's content rules: HTML entity parsing, length limits, inline keyboards.

These are the rules a bot most often breaks in production without noticing in unit tests:
an unescaped ``<`` from user input in an HTML message, a reply longer than 4096 characters,
``callback_data`` over 64 bytes. The fake enforces them with Telegram's error texts so the
bot's error handling is exercised too.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .api_spec import JsonDict, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
PARSE_MODES = {"html": "HTML", "markdown": "Markdown", "markdownv2": "MarkdownV2"}
_TAGS = "b strong i em u ins s strike del span tg-spoiler a code pre blockquote tg-emoji"
ALLOWED_TAGS = frozenset(_TAGS.split())
_BUTTON_ACTIONS = (
    "url callback_data login_url switch_inline_query switch_inline_query_current_chat "
    "switch_inline_query_chosen_chat web_app pay copy_text callback_game"
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*?)(/?)>")
_ATTR_RE = re.compile(
    r"\s*([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?"
)
_ENTITY_RE = re.compile(r"&(#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")


def _offset(text: str, index: int) -> int:
    """Telegram reports positions as UTF-8 byte offsets."""
    return len(text[:index].encode("utf-8"))


def _entity_error(message: str) -> Exception:
    return bad_request(f"can't parse entities: {message}")


def _decode_entity(text: str, index: int) -> tuple[str, int]:
    """Decode the entity starting at ``text[index] == '&'``; return (char, next index)."""
    match = _ENTITY_RE.match(text, index)
    if match is None:
        raise _entity_error(
            f'Character "&" at byte offset {_offset(text, index)} does not start an HTML '
            "entity; escape it as &amp;"
        )
    body = match.group(1)
    if body.startswith("#"):
        number = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
        if not 0 < number <= 0x10FFFF:
            raise _entity_error(
                f"Invalid numeric HTML entity at byte offset {_offset(text, index)}"
            )
        return chr(number), match.end()
    if body not in NAMED_ENTITIES:
        raise _entity_error(
            f'Unsupported HTML entity "&{body};" at byte offset {_offset(text, index)}'
        )
    return NAMED_ENTITIES[body], match.end()


def _unescape(value: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(value):
        if value[index] == "&":
            char, index = _decode_entity(value, index)
            out.append(char)
        else:
            out.append(value[index])
            index += 1
    return "".join(out)


def _parse_attrs(raw: str, tag: str, text: str, index: int) -> dict[str, str]:
    attrs: dict[str, str] = {}
    pos = 0
    while raw[pos:].strip():
        match = _ATTR_RE.match(raw, pos)
        if match is None or match.end() == pos:
            raise _entity_error(
                f'Invalid attributes of tag "{tag}" at byte offset {_offset(text, index)}'
            )
        value = next((g for g in match.groups()[1:] if g is not None), "")
        attrs[match.group(1).lower()] = _unescape(value)
        pos = match.end()
    return attrs


def _check_start_tag(tag: str, attrs: dict[str, str], stack: list[str], where: int) -> None:
    """Telegram's per-tag attribute and nesting rules."""
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise _entity_error(f'Tag "span" must have class "tg-spoiler" at byte offset {where}')
    if tag == "a" and not attrs.get("href"):
        raise _entity_error(f'Tag "a" must have attribute "href" at byte offset {where}')
    if tag == "tg-emoji" and not attrs.get("emoji-id"):
        raise _entity_error(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {where}')
    if stack and stack[-1] == "code":
        raise _entity_error(f'Tag "{tag}" can\'t be nested in "code" at byte offset {where}')
    if stack and stack[-1] == "pre" and tag != "code":
        raise _entity_error(f'Tag "{tag}" can\'t be nested in "pre" at byte offset {where}')
    if tag == "blockquote" and "blockquote" in stack:
        raise _entity_error(f"Blockquotes can't be nested at byte offset {where}")


def parse_html(text: str) -> str:
    """Validate Telegram-flavoured HTML and return the visible text (tags gone, unescaped)."""
    out: list[str] = []
    stack: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "&":
            decoded, index = _decode_entity(text, index)
            out.append(decoded)
            continue
        if char == ">":
            out.append(char)
            index += 1
            continue
        if char != "<":
            out.append(char)
            index += 1
            continue
        where = _offset(text, index)
        match = _TAG_RE.match(text, index)
        if match is None:
            raise _entity_error(
                f'Unexpected "<" at byte offset {where}; escape it as &lt; if it is not a tag'
            )
        closing, tag, raw_attrs, self_closing = match.groups()
        tag = tag.lower()
        if tag not in ALLOWED_TAGS:
            kind = "end" if closing else "start"
            raise _entity_error(f'Unsupported {kind} tag "{tag}" at byte offset {where}')
        if self_closing:
            raise _entity_error(f'Unsupported self-closing tag "{tag}" at byte offset {where}')
        if closing:
            if raw_attrs.strip():
                raise _entity_error(
                    f'End tag "{tag}" can\'t have attributes at byte offset {where}'
                )
            if not stack:
                raise _entity_error(f'Unexpected end tag "{tag}" at byte offset {where}')
            if stack[-1] != tag:
                raise _entity_error(
                    f'Unmatched end tag at byte offset {where}, expected "</{stack[-1]}>", '
                    f'found "</{tag}>"'
                )
            stack.pop()
        else:
            _check_start_tag(tag, _parse_attrs(raw_attrs, tag, text, index), stack, where)
            stack.append(tag)
        index = match.end()
    if stack:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def normalize_parse_mode(parse_mode: str | None) -> str | None:
    """Canonical parse mode name; Telegram accepts any letter case."""
    if parse_mode is None or parse_mode == "":
        return None
    canonical = PARSE_MODES.get(parse_mode.lower())
    if canonical is None:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return canonical


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text a user would see: HTML is parsed strictly, Markdown is counted as sent."""
    if parse_mode == "HTML":
        return parse_html(text)
    return text


def check_text(text: str, parse_mode: str | None) -> str:
    """Validate a message text (1..4096 characters after entity parsing); return it visible."""
    visible = visible_text(text, parse_mode)
    if not visible.strip():
        raise bad_request("message text is empty")
    if len(visible) > MAX_TEXT:
        raise bad_request("message is too long")
    return visible


def check_caption(caption: str | None, parse_mode: str | None) -> str | None:
    """Validate a media caption (0..1024 characters after entity parsing)."""
    if caption is None:
        return None
    visible = visible_text(caption, parse_mode)
    if len(visible) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return visible


def parse_reply_markup(raw: Any, inline_only: bool = False) -> JsonDict | None:
    """Decode reply_markup (JSON string or object) and apply Telegram's keyboard rules."""
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise bad_request("can't parse reply keyboard markup JSON object") from None
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in raw:
        _check_inline_keyboard(raw["inline_keyboard"])
    elif inline_only:
        raise bad_request("inline keyboard expected")
    elif "keyboard" in raw:
        _check_rows(raw["keyboard"], "keyboard")
    elif not raw.get("remove_keyboard") and not raw.get("force_reply"):
        raise bad_request('can\'t find field "inline_keyboard" in reply markup')
    return raw


def _check_rows(rows: Any, field_name: str) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{field_name}" must be an Array of Array')
    return rows


def _check_inline_keyboard(rows: Any) -> None:
    actions = _BUTTON_ACTIONS.split()
    for row in _check_rows(rows, "inline_keyboard"):
        for button in row:
            if not isinstance(button, dict):
                raise bad_request("can't parse inline keyboard button: object expected")
            text = button.get("text")
            if not isinstance(text, str) or not text.strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            if not any(key in button for key in actions):
                raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
            data = button.get("callback_data")
            if data is not None:
                size = len(data.encode("utf-8")) if isinstance(data, str) else 0
                if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                    raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not re.match(r"(https?|tg)://\S+$", str(url)):
                raise bad_request("BUTTON_URL_INVALID")
