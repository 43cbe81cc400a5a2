"""Settings as an operator meets them: `python -m bot` started with a bad environment answers
with one line naming the variable, exits 2, shows no traceback and never the token; `.env` is
read as Docker Compose and python-dotenv read it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
TOKEN = "123456789:AAthe-token-that-must-never-show"
VARIABLES = tuple(field.alias for field in Settings.model_fields.values() if field.alias)


def parley(
    tmp_path: Path, *args: str, dotenv: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in an empty folder (its own .env, if given) with only `env` set."""
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(REPO),
            "HOME": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'parley.db'}",
            **env,
        },
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No Parley variable from the test runner's environment, and an empty working folder."""
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_telegram_client_defaults_to_aiohttp_and_can_fall_back_to_httpx(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings().telegram_http == "aiohttp"
    monkeypatch.setenv("PARLEY_TELEGRAM_HTTP", "HTTPX")
    assert load_settings().telegram_http == "httpx"


@pytest.mark.parametrize(
    ("variable", "value", "why"),
    [
        ("WEB_PORT", "eighty", "port number"),
        ("WEBHOOK_PORT", "70000", "port number"),
        ("PARLEY_ADMIN_IDS", "1,two", "comma-separated Telegram user ids"),
        ("WEB_BASE_URL", "javascript:alert(1)", "http:// or https://"),
        ("PARLEY_REMINDER_SCAN_SECONDS", "0", "0.1 to 3600"),
        ("PARLEY_TELEGRAM_HTTP", "curl", "aiohttp or httpx"),
        ("LOG_LEVEL", "LOUD", "DEBUG, INFO"),
        ("WEBHOOK_SECRET", "has spaces/and slashes", "A-Z, a-z, 0-9, _ and -"),
        ("WEBHOOK_SECRET", "x" * 257, "1 to 256"),
        ("WEB_SECRET_KEY", "short", "at least 32 characters"),
        ("DATABASE_URL", "nonsense", "not a database URL"),
        ("DATABASE_URL", "mysql://parley:pw@db/parley", "supports sqlite:// and postgresql://"),
        ("DATABASE_POOL_SIZE", "0", "greater than or equal to 1"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it_with_exit_2_and_never_the_token(
    tmp_path: Path, variable: str, value: str, why: str
) -> None:
    done = parley(tmp_path, "run", TELEGRAM_BOT_TOKEN=TOKEN, **{variable: value})
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"error: {variable}: ") and why in line
    assert "Traceback" not in done.stderr
    assert TOKEN not in done.stdout + done.stderr
    assert TOKEN.partition(":")[2] not in done.stdout + done.stderr


def test_a_webhook_without_its_secret_is_refused_before_anything_connects(tmp_path: Path) -> None:
    # Nothing answers at this Bot API address: the refusal must come before any call to it.
    done = parley(
        tmp_path,
        "run",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{closed_port()}/bot",
        WEBHOOK_URL="https://bot.example.org/tg/hook",
    )
    assert (done.returncode, done.stderr) == (
        2,
        "error: WEBHOOK_SECRET: required when WEBHOOK_URL is set\n",
    )
    assert not (tmp_path / "parley.db").exists()


def test_a_site_bound_to_every_address_needs_the_address_browsers_use(tmp_path: Path) -> None:
    done = parley(tmp_path, "web", WEB_HOST="0.0.0.0", WEB_SECRET_KEY="k" * 43)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("error: WEB_BASE_URL: required when the review site binds 0.0.0.0")


def test_an_unreachable_database_is_one_line_without_its_password(tmp_path: Path) -> None:
    password = "pg-password-never-shown"
    url = f"postgresql://parley:{password}@127.0.0.1:{closed_port()}/parley"
    done = parley(tmp_path, "run", TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=url)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("error: DATABASE_URL: cannot use the database at postgresql")
    assert "Connection refused" in line or "connection failed" in line
    assert password not in done.stdout + done.stderr and TOKEN not in done.stderr


@pytest.mark.parametrize("command", ["run", "sessions"])
def test_a_sqlite_path_through_a_file_is_one_line_naming_the_folder(
    tmp_path: Path, command: str
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    url = f"sqlite:///{blocker / 'data' / 'parley.db'}"
    done = parley(tmp_path, command, TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=url)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert (
        line == f"error: DATABASE_URL: cannot create the folder {blocker / 'data'}: Not a directory"
    )


def test_a_sqlite_path_naming_a_folder_is_one_line(tmp_path: Path) -> None:
    done = parley(tmp_path, "sessions", DATABASE_URL=f"sqlite:///{tmp_path}")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: DATABASE_URL: {tmp_path} is a folder; DATABASE_URL must name a file inside it"
    ]


@pytest.mark.parametrize(
    ("command", "setting", "env"),
    [
        ("web", "WEB_PORT", {"WEB_SECRET_KEY": "k" * 43}),
        ("run", "METRICS_PORT", {"TELEGRAM_BOT_TOKEN": TOKEN}),
        (
            "run",
            "WEBHOOK_PORT",
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "WEBHOOK_URL": "https://bot.example.org/telegram",
                "WEBHOOK_SECRET": "s" * 32,
            },
        ),
    ],
)
def test_a_port_already_in_use_is_one_line_naming_its_setting_before_anything_starts(
    tmp_path: Path, command: str, setting: str, env: dict[str, str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = parley(tmp_path, command, **env, **{setting: port})
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: {setting}: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
    assert TOKEN not in done.stdout + done.stderr


def test_the_env_file_is_read_as_compose_reads_it_inline_comments_dropped_quotes_removed(
    clean_env: Path,
) -> None:
    # docs/instructors.md's own snippet, comments after the values.
    (clean_env / ".env").write_text(
        "PARLEY_ADMIN_IDS=123456789,42             # your own Telegram user id\n"
        "WEB_SECRET_KEY='a-key-of-more-than-thirty-two-characters # kept'\n"
        "WEB_BASE_URL=https://review.example.org   # how browsers reach it\n"
        'TELEGRAM_BOT_USERNAME="@YourParleyBot"\n'
        "export LOG_LEVEL=debug\n"
        "WEBHOOK_URL=\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.admin_ids == frozenset({123456789, 42})
    assert settings.web_base_url == "https://review.example.org"
    assert settings.site_base_url == "https://review.example.org"
    assert settings.web_secret_key.get_secret_value() == (
        "a-key-of-more-than-thirty-two-characters # kept"
    )
    assert settings.telegram_bot_username == "YourParleyBot"
    assert settings.log_level == "DEBUG"
    assert settings.webhook_url == ""


def test_the_environment_wins_over_the_env_file_and_the_file_is_optional(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings().database_url.get_secret_value() == "sqlite:///data/parley.db"
    (clean_env / ".env").write_text("WEB_PORT=9001\nWEBHOOK_PORT=9002\n", encoding="utf-8")
    monkeypatch.setenv("WEB_PORT", "9003")
    settings = load_settings()
    assert (settings.web_port, settings.webhook_port) == (9003, 9002)


def test_hosting_providers_postgres_urls_mean_psycopg(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for given in ("postgres://u:pw@db.example:5432/parley", "postgresql://u:pw@db.example/parley"):
        monkeypatch.setenv("DATABASE_URL", given)
        url = load_settings().database_url.get_secret_value()
        assert url.startswith("postgresql+psycopg://u:pw@db.example")


def test_secrets_are_hidden_from_the_repr_and_listed_for_the_log_redactor(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", "postgresql://parley:db-password-x@db/parley")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("WEBHOOK_SECRET", "webhook-secret_1")
    settings = load_settings()
    shown = repr(settings) + str(settings)
    for secret in (TOKEN, "db-password-x", "webhook-secret_1"):
        assert secret not in shown
        assert secret in settings.secrets()


def test_the_webhook_listener_and_the_site_have_their_own_addresses(clean_env: Path) -> None:
    settings = load_settings()
    assert (settings.webhook_host, settings.webhook_port) == ("127.0.0.1", 8080)
    assert (settings.web_host, settings.web_port) == ("127.0.0.1", 8081)
    assert settings.site_base_url == "http://127.0.0.1:8081"


def test_load_settings_raises_config_error_naming_the_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARLEY_ADMIN_IDS", "1,two")
    with pytest.raises(ConfigError, match=r"^PARLEY_ADMIN_IDS: "):
        load_settings()
