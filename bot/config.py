"""Settings from the environment, then `.env`, then a default.

Secrets (the bot token, the web secret) are only ever read here and never logged: `Settings`
hides them from its repr.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import ParleyError

DEFAULT_API_BASE = "https://api.telegram.org/bot"


class ConfigError(ParleyError):
    """A setting is present but unusable; the message names the variable."""


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; comments and blank lines ignored, surrounding quotes removed."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip().removeprefix("export ").strip()] = value
    return values


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///data/parley.db"
    telegram_token: str = field(default="", repr=False)
    telegram_api_base: str = DEFAULT_API_BASE
    admin_ids: frozenset[int] = frozenset()
    # For cohort invite links (t.me/<bot>?start=join-<code>); the bot asks Telegram if unset.
    telegram_bot_username: str = ""
    webhook_url: str = ""
    webhook_secret: str = field(default="", repr=False)
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    web_secret_key: str = field(default="", repr=False)
    # Where instructors reach the review site (sign-in links start with it).
    web_base_url: str = "http://127.0.0.1:8080"
    log_level: str = "INFO"
    dialogues_dir: Path | None = None
    database_pool_size: int = 5
    # "aiohttp": PTB's BaseRequest over aiohttp (bot/telegram/http/aiohttp_request.py);
    # "httpx": python-telegram-bot's stock HTTPXRequest, a fallback needing no code change.
    telegram_http: str = "aiohttp"
    # Outgoing messages paced to Telegram's limits (bot/telegram/pacing.py) times this factor;
    # 0: not paced. Only a fake Bot API (tests, benchmarks) can take more than 1.
    send_pacing: float = 1.0
    # Where Prometheus scrapes /metrics, /healthz and /readyz; 0: not served.
    metrics_port: int = 0
    metrics_host: str = "127.0.0.1"
    # How often the bot looks for reminders planned since start-up (seconds).
    reminder_scan_seconds: float = 30.0

    def secrets(self) -> list[str]:
        """What no log line may contain: the token (also its secret half, which is what a
        URL-encoded `:` leaves intact), the webhook secret and the site's signing key."""
        token_secret = self.telegram_token.partition(":")[2]
        return [self.telegram_token, token_secret, self.webhook_secret, self.web_secret_key]


def load_settings(env: dict[str, str] | None = None, dotenv: Path | None = None) -> Settings:
    """Read settings; fails loudly, naming the variable, on a malformed value."""
    source = read_dotenv(dotenv or Path(".env"))
    source.update(os.environ if env is None else env)

    def get(key: str, default: str = "") -> str:
        return source.get(key, default).strip() or default

    try:
        admins = frozenset(int(x) for x in get("PARLEY_ADMIN_IDS").split(",") if x.strip())
    except ValueError:
        raise ConfigError("PARLEY_ADMIN_IDS must be comma-separated Telegram user ids") from None
    port = get("WEB_PORT", "8080")
    if not (port.isascii() and port.isdigit() and len(port) < 6) or not 0 < int(port) < 65536:
        raise ConfigError(f"WEB_PORT must be a port number, not {port!r}")
    pool = get("DATABASE_POOL_SIZE", "5")
    if not (pool.isascii() and pool.isdigit() and len(pool) < 4) or not 1 <= int(pool) <= 200:
        raise ConfigError(f"DATABASE_POOL_SIZE must be a number from 1 to 200, not {pool!r}")
    scan = get("PARLEY_REMINDER_SCAN_SECONDS", "30")
    if (
        not (scan.isascii() and scan.replace(".", "", 1).isdigit() and len(scan) < 12)
        or not 0.1 <= float(scan) <= 3600
    ):
        raise ConfigError(f"PARLEY_REMINDER_SCAN_SECONDS must be 0.1 to 3600, not {scan!r}")
    transport = get("PARLEY_TELEGRAM_HTTP", "aiohttp").lower()
    if transport not in ("aiohttp", "httpx"):
        raise ConfigError(f"PARLEY_TELEGRAM_HTTP must be aiohttp or httpx, not {transport!r}")
    pacing = get("PARLEY_SEND_PACING", "1")
    if not (pacing.isascii() and pacing.replace(".", "", 1).isdigit() and len(pacing) < 8):
        raise ConfigError(f"PARLEY_SEND_PACING must be a factor like 1 (0: off), not {pacing!r}")
    metrics_port = get("METRICS_PORT", "0")
    if not (metrics_port.isascii() and metrics_port.isdigit() and len(metrics_port) < 6) or not (
        0 <= int(metrics_port) < 65536
    ):
        raise ConfigError(f"METRICS_PORT must be a port number, not {metrics_port!r}")
    level = get("LOG_LEVEL", "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}")
    if get("WEB_BASE_URL") and not get("WEB_BASE_URL").startswith(("http://", "https://")):
        raise ConfigError("WEB_BASE_URL must start with http:// or https://")
    return Settings(
        database_url=get("DATABASE_URL", Settings.database_url),
        telegram_token=get("TELEGRAM_BOT_TOKEN"),
        telegram_api_base=get("TELEGRAM_API_BASE_URL", DEFAULT_API_BASE),
        admin_ids=admins,
        telegram_bot_username=get("TELEGRAM_BOT_USERNAME").lstrip("@"),
        webhook_url=get("WEBHOOK_URL"),
        webhook_secret=get("WEBHOOK_SECRET"),
        web_host=get("WEB_HOST", "127.0.0.1"),
        web_port=int(port),
        web_secret_key=get("WEB_SECRET_KEY"),
        web_base_url=get("WEB_BASE_URL").rstrip("/")
        or f"http://{get('WEB_HOST', '127.0.0.1')}:{port}",
        log_level=level,
        dialogues_dir=Path(get("PARLEY_DIALOGUES_DIR")) if get("PARLEY_DIALOGUES_DIR") else None,
        database_pool_size=int(pool),
        telegram_http=transport,
        send_pacing=float(pacing),
        metrics_port=int(metrics_port),
        metrics_host=get("METRICS_HOST", "127.0.0.1"),
        reminder_scan_seconds=float(scan),
    )
