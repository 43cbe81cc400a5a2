"""The real Compose CLI reads docker-compose.yml with .env as an operator writes it.

`docker compose config` resolves every variable of every service, also of the profiles not
asked for, without a Docker engine. Each setup is checked with exactly the variables
docs/deploy.md tells the operator to set, starting from a copy of .env.example.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import compose
import pytest

REPO = Path(__file__).resolve().parents[1]
BINARY = Path(compose.__file__).parent / "docker-compose"
TOKEN = "123456:TEST-token"


def compose_config(
    folder: Path, *profiles: str, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Resolve the Compose file in `folder` (a copy of the repo's) as `docker compose config`."""
    shutil.copy(REPO / "docker-compose.yml", folder / "docker-compose.yml")
    if env is not None:
        lines = (REPO / ".env.example").read_text(encoding="utf-8").splitlines()
        given = dict(env)
        out = []
        for line in lines:
            key = line.partition("=")[0]
            out.append(f"{key}={given.pop(key)}" if key in given and "=" in line else line)
        out += [f"{key}={value}" for key, value in given.items()]
        (folder / ".env").write_text("\n".join(out) + "\n", encoding="utf-8")
    args = [str(BINARY), "--project-directory", str(folder)]
    for profile in profiles:
        args += ["--profile", profile]
    done = subprocess.run(
        [*args, "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(folder)},
    )
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_the_copied_example_with_a_token_runs_the_bot_on_sqlite_in_its_volume(
    tmp_path: Path,
) -> None:
    config = compose_config(tmp_path, env={"TELEGRAM_BOT_TOKEN": TOKEN})
    bot = config["services"]["bot"]
    assert bot["environment"]["DATABASE_URL"] == "sqlite:////data/parley.db"
    assert bot["environment"]["TELEGRAM_BOT_TOKEN"] == TOKEN
    [volume] = bot["volumes"]
    assert (volume["source"], volume["target"]) == ("parley-data", "/data")
    assert set(config["services"]) == {"bot"}


def test_without_any_env_file_the_configuration_still_resolves(tmp_path: Path) -> None:
    config = compose_config(tmp_path)
    assert config["services"]["bot"]["environment"]["DATABASE_URL"] == "sqlite:////data/parley.db"


def test_the_postgres_setup_needs_only_the_variables_its_docs_name(tmp_path: Path) -> None:
    url = "postgresql://parley:s3cret@postgres:5432/parley"
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "POSTGRES_PASSWORD": "s3cret",
        "DATABASE_URL": url,
        "WEBHOOK_URL": "https://bot.example.org/tg/hook",
        "WEBHOOK_SECRET": "a-secret_token",
        "BOT_WORKERS": "2",
    }
    config = compose_config(tmp_path, "postgres", env=env)
    services = config["services"]
    assert {"bot", "postgres", "migrate", "webhook-proxy"} <= set(services)
    assert services["migrate"]["environment"]["DATABASE_URL"] == url
    assert services["bot"]["environment"]["DATABASE_URL"] == url
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == "s3cret"
    assert services["bot"]["deploy"]["replicas"] == 2


def test_the_review_site_setup_resolves_with_its_key_and_address(tmp_path: Path) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "WEB_SECRET_KEY": "k" * 43,
        "WEB_BASE_URL": "https://review.example.org",
    }
    config = compose_config(tmp_path, "review", env=env)
    web = config["services"]["web"]
    assert web["command"] == ["python", "-m", "bot", "web"]
    assert web["environment"]["WEB_BASE_URL"] == "https://review.example.org"
    [port] = web["ports"]
    assert port["host_ip"] == "127.0.0.1"


@pytest.mark.parametrize("profile", [(), ("postgres",), ("review",)])
def test_every_service_rotates_its_logs(tmp_path: Path, profile: tuple[str, ...]) -> None:
    config = compose_config(tmp_path, *profile, env={"TELEGRAM_BOT_TOKEN": TOKEN})
    for name, service in config["services"].items():
        assert service["logging"]["options"]["max-size"] == "10m", name
