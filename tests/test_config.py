"""Settings: defaults, and malformed values refused with the variable's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def test_the_telegram_client_defaults_to_lean_and_can_fall_back_to_httpx(tmp_path: Path) -> None:
    assert load_settings({}, dotenv=tmp_path / "absent.env").telegram_http == "aiohttp"
    chosen = load_settings({"PARLEY_TELEGRAM_HTTP": "HTTPX"}, dotenv=tmp_path / "absent.env")
    assert chosen.telegram_http == "httpx"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PARLEY_TELEGRAM_HTTP", "curl"),
        ("WEB_PORT", "eighty"),
        ("PARLEY_ADMIN_IDS", "1,two"),
        ("WEB_BASE_URL", "javascript:alert(1)"),
        ("PARLEY_REMINDER_SCAN_SECONDS", "0"),
    ],
)
def test_a_malformed_value_is_refused_naming_the_variable(
    variable: str, value: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_settings({variable: value}, dotenv=tmp_path / "absent.env")
