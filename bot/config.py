"""Every setting of Parley, read and checked in this one place (pydantic-settings).

Where a value comes from, strongest first: the process environment, then a `.env` file in the
working directory (optional; read by python-dotenv as Docker Compose reads it: `# comments`
after a value are dropped, quotes removed), then the default here. An empty value counts as
unset, so a copied `.env.example` with blank lines changes nothing.

Secrets (the bot token, the webhook secret, the site's signing key, a database password inside
`DATABASE_URL`) are `SecretStr`: their repr is `**********`, and `secrets()` lists them for the
log redactor. A setting that cannot work is refused here, before anything connects, with one
line naming the variable (`ConfigError`; the entry point prints it and exits 2).
"""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import ParleyError

DEFAULT_API_BASE = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite:///data/parley.db"
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
"""What Telegram accepts as `secret_token` in setWebhook (Bot API: 1-256 of these)."""
MIN_WEB_SECRET_KEY = 32
ANY_ADDRESS = ("0.0.0.0", "::", "[::]")
DRIVERS = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite+pysqlite",
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}
"""The database URL schemes Parley can use, and the SQLAlchemy driver each one means.
`postgres://` is what hosting providers hand out; both it and `postgresql://` mean psycopg 3."""
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ParleyError):
    """A setting is present but unusable, or the world refuses it at start-up (an unreachable
    database, a token Telegram rejects); the message names the variable, never a secret."""


def _port(value: Any) -> int:
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) < 6) or not 0 < int(text) < 65536:
        raise ValueError(f"must be a port number from 1 to 65535, not {text[:20]!r}")
    return int(text)


def database_url(raw: str) -> URL:
    """`raw` as a SQLAlchemy URL of a supported driver (`postgres://` mapped to psycopg);
    ValueError says what is wrong without repeating the URL (it may hold a password)."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ValueError(
            "is not a database URL (e.g. sqlite:///data/parley.db or "
            "postgresql://USER:PASSWORD@HOST:5432/NAME)"
        ) from None
    driver = DRIVERS.get(url.drivername)
    if driver is None:
        raise ValueError(
            f"uses {url.drivername!r}; Parley supports sqlite:// and postgresql:// (psycopg)"
        )
    if driver.startswith("postgresql") and not (url.host and url.database):
        raise ValueError("needs a host and a database name: postgresql://USER:PASSWORD@HOST/NAME")
    return url.set(drivername=driver)


class Settings(BaseSettings):
    """What `python -m bot` reads from its environment; attribute names are Python's, the
    variables are the aliases (the same names as in .env.example and docs/deploy.md)."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        case_sensitive=True,
        extra="ignore",
        populate_by_name=True,
        frozen=True,
    )

    database_url: SecretStr = Field(SecretStr(DEFAULT_DATABASE_URL), alias="DATABASE_URL")
    database_pool_size: int = Field(5, alias="DATABASE_POOL_SIZE", ge=1, le=200)
    telegram_token: SecretStr = Field(SecretStr(""), alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base: str = Field(DEFAULT_API_BASE, alias="TELEGRAM_API_BASE_URL")
    # For cohort invite links (t.me/<bot>?start=join-<code>); the bot asks Telegram if unset.
    telegram_bot_username: str = Field("", alias="TELEGRAM_BOT_USERNAME")
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(frozenset(), alias="PARLEY_ADMIN_IDS")
    webhook_url: str = Field("", alias="WEBHOOK_URL")
    webhook_secret: SecretStr = Field(SecretStr(""), alias="WEBHOOK_SECRET")
    # Where the webhook listener binds (behind the TLS reverse proxy).
    webhook_host: str = Field("127.0.0.1", alias="WEBHOOK_HOST")
    webhook_port: int = Field(8080, alias="WEBHOOK_PORT")
    # Where the review site binds, and the address browsers reach it at (links start with it).
    web_host: str = Field("127.0.0.1", alias="WEB_HOST")
    web_port: int = Field(8081, alias="WEB_PORT")
    web_secret_key: SecretStr = Field(SecretStr(""), alias="WEB_SECRET_KEY")
    web_base_url: str = Field("", alias="WEB_BASE_URL")
    log_level: str = Field("INFO", alias="LOG_LEVEL")
    # Keys the chat-id hashes in logs (bot/redaction.py); random per process when unset.
    log_hash_key: SecretStr = Field(SecretStr(""), alias="LOG_HASH_KEY")
    dialogues_dir: Path | None = Field(None, alias="PARLEY_DIALOGUES_DIR")
    # "aiohttp": PTB's BaseRequest over aiohttp (bot/telegram/http/aiohttp_request.py);
    # "httpx": python-telegram-bot's stock HTTPXRequest, a fallback needing no code change.
    telegram_http: str = Field("aiohttp", alias="PARLEY_TELEGRAM_HTTP")
    # Outgoing messages paced to Telegram's limits (bot/telegram/pacing.py) times this factor;
    # 0: not paced. Only a fake Bot API (tests, benchmarks) can take more than 1.
    send_pacing: float = Field(1.0, alias="PARLEY_SEND_PACING", ge=0, le=1000)
    # Where Prometheus scrapes /metrics, /healthz and /readyz; 0: not served.
    metrics_port: int = Field(0, alias="METRICS_PORT")
    metrics_host: str = Field("127.0.0.1", alias="METRICS_HOST")
    # How often the bot looks for reminders planned since start-up (seconds).
    reminder_scan_seconds: float = Field(30.0, alias="PARLEY_REMINDER_SCAN_SECONDS")

    @field_validator("database_url", mode="before")
    @classmethod
    def _database_url(cls, value: Any) -> SecretStr:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else str(value).strip()
        return SecretStr(database_url(raw).render_as_string(hide_password=False))

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not all(part.isascii() and part.isdigit() and len(part) < 16 for part in parts):
            raise ValueError("must be comma-separated Telegram user ids, e.g. 12345,67890")
        return frozenset(int(part) for part in parts)

    @field_validator("webhook_port", "web_port", mode="before")
    @classmethod
    def _ports(cls, value: Any) -> int:
        return _port(value)

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if secret and not WEBHOOK_SECRET_PATTERN.fullmatch(secret):
            raise ValueError(
                "must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - (what Telegram accepts)"
            )
        return value

    @field_validator("web_secret_key")
    @classmethod
    def _web_secret_key(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value() and len(value.get_secret_value()) < MIN_WEB_SECRET_KEY:
            raise ValueError(
                f"must be at least {MIN_WEB_SECRET_KEY} characters (make one with: "
                'python -c "import secrets; print(secrets.token_urlsafe(32))")'
            )
        return value

    @field_validator("webhook_url", "web_base_url", "telegram_api_base")
    @classmethod
    def _http_address(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("web_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("metrics_port", mode="before")
    @classmethod
    def _metrics_port(cls, value: Any) -> int:
        return 0 if str(value).strip() == "0" else _port(value)

    @field_validator("telegram_bot_username")
    @classmethod
    def _username(cls, value: str) -> str:
        return value.strip().lstrip("@")

    @field_validator("log_level", "telegram_http", mode="before")
    @classmethod
    def _word(cls, value: Any) -> str:
        return str(value).strip()

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in LEVELS:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("telegram_http")
    @classmethod
    def _telegram_http(cls, value: str) -> str:
        if value.lower() not in ("aiohttp", "httpx"):
            raise ValueError("must be aiohttp or httpx")
        return value.lower()

    @field_validator("reminder_scan_seconds")
    @classmethod
    def _scan(cls, value: float) -> float:
        if not 0.1 <= value <= 3600:
            raise ValueError("must be 0.1 to 3600 seconds")
        return value

    @model_validator(mode="after")
    def _together(self) -> Settings:
        """Settings that only work together, checked before anything connects."""
        if self.webhook_url and not self.webhook_secret.get_secret_value():
            raise ValueError("WEBHOOK_SECRET: required when WEBHOOK_URL is set")
        if self.web_host in ANY_ADDRESS and not self.web_base_url:
            raise ValueError(
                f"WEB_BASE_URL: required when the review site binds {self.web_host} (in a "
                "container): the address browsers reach it at, e.g. https://review.example.org"
            )
        return self

    @property
    def site_base_url(self) -> str:
        """Where sign-in links point: WEB_BASE_URL, else the site's own local address."""
        return self.web_base_url or f"http://{self.web_host}:{self.web_port}"

    def secrets(self) -> list[str]:
        """What no log line may contain: the token (also its secret half, which is what a
        URL-encoded `:` leaves intact), the webhook secret, the site's signing key, the log
        hash key and a database password."""
        token = self.telegram_token.get_secret_value()
        password = make_url(self.database_url.get_secret_value()).password
        return [
            token,
            token.partition(":")[2],
            self.webhook_secret.get_secret_value(),
            self.web_secret_key.get_secret_value(),
            self.log_hash_key.get_secret_value(),
            str(password or ""),
        ]


def _one_line(error: ValidationError) -> str:
    """The first problem as `VARIABLE: what is wrong` (never the value: it may be a secret)."""
    first = error.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    cause = first.get("ctx", {}).get("error")
    message = str(cause) if cause is not None else first["msg"][:1].lower() + first["msg"][1:]
    if not where:  # a check of several settings: its message starts with the variable
        return message
    return f"{where}: {message}"


def load_settings(dotenv: Path | None = None) -> Settings:
    """The settings of this process (the environment, then `dotenv` or ./.env); raises
    ConfigError with one line naming the first unusable variable."""
    try:
        return Settings(_env_file=dotenv or Path(".env"))
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None


def ensure_listenable(setting: str, host: str, port: int) -> None:
    """Refuse to start, in one line naming `setting`, when host:port cannot be listened on.

    uvicorn finds out only when it binds, after the bot has connected and started its jobs, and
    then logs an error and exits from inside a task; an address in use is an operator's setting
    to change, so it is said like any other bad setting (exit 2)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
    except OSError as exc:  # socket.gaierror included: a host name that does not resolve
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"{setting}: cannot listen on {host}:{port}: {reason}") from None
