"""The deployment files are valid and say what docs/deploy.md says they do."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "tests" / "vendor" / "compose-spec" / "compose-spec.json"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"Compose schema not found at {SCHEMA}")
    # The file names draft-07 by an https URL jsonschema does not map; say draft-07 directly.
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    validator.validate(compose)
    broken = {**compose, "services": {"bot": {**compose["services"]["bot"], "restart": 3}}}
    assert not validator.is_valid(broken), "the schema check must be able to fail"


def test_default_service_is_the_bot_on_sqlite_in_a_named_volume(compose: dict[str, Any]) -> None:
    bot = compose["services"]["bot"]
    assert "profiles" not in bot
    assert bot["env_file"] == [{"path": ".env", "required": False}]
    assert "sqlite:////data/" in bot["environment"]["DATABASE_URL"]
    assert "parley-data:/data" in bot["volumes"]
    assert "parley-data" in compose["volumes"]


def test_postgres_profile_migrates_before_the_bot_starts(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["postgres"]["profiles"] == ["postgres"]
    assert services["migrate"]["command"] == ["python", "-m", "bot", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    wait = services["bot"]["depends_on"]["migrate"]
    assert wait == {"condition": "service_completed_successfully", "required": False}


def test_postgres_profile_fronts_several_bot_workers(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["bot"]["deploy"]["replicas"] == "${BOT_WORKERS:-1}"
    assert "ports" not in services["bot"], "workers must not fight over one host port"
    proxy = services["webhook-proxy"]
    assert proxy["profiles"] == ["postgres"]
    assert "proxy_pass http://$$workers:8080;" in compose["configs"]["webhook-proxy"]["content"]


def test_dockerfile_runs_as_a_non_root_user_with_a_health_check() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.13-slim" in dockerfile
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "\nUSER parley\n" in dockerfile
    assert 'CMD ["python", "-m", "bot", "health"]' in dockerfile


def test_every_variable_the_code_reads_is_in_env_example() -> None:
    from bot.config import Settings

    example = (REPO / ".env.example").read_text(encoding="utf-8")
    read = {field.alias for field in Settings.model_fields.values()}
    documented = set(re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE))
    assert len(read) > 15
    assert read <= documented, read - documented


def pins(path: Path) -> dict[str, str]:
    """{package: version} of a pip-compile output, checking every pin carries hashes."""
    found = {}
    for entry in re.split(r"\n(?=[a-z0-9])", path.read_text(encoding="utf-8")):
        match = re.match(r"([a-z0-9._-]+)==(\S+)", entry)
        if match:
            assert "--hash=sha256:" in entry, entry
            found[match.group(1)] = match.group(2)
    return found


def test_the_runtime_install_holds_no_development_tools_and_no_plotting_stack() -> None:
    runtime = pins(REPO / "requirements.txt")
    assert {"python-telegram-bot", "sqlalchemy", "pillow", "pydantic-settings"} <= set(runtime)
    tools = {"pytest", "mypy", "ruff", "playwright", "import-linter", "pip-tools"}
    unused = {"matplotlib", "numpy", "sniffio", "httpx2", "httpcore2", "truststore"}
    assert not set(runtime) & (tools | unused)
    dev = pins(REPO / "requirements-dev.txt")
    # starlette.testclient imports httpx2 (with httpcore2 and truststore): tests only.
    test_client = {"httpx2", "httpcore2", "truststore"}
    assert tools | test_client <= set(dev) and not set(dev) & (unused - test_client)
    assert {name: dev[name] for name in runtime} == runtime, "dev pins the same runtime"


def test_make_run_installs_the_runtime_only_and_the_image_the_same_list() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run: \$\(RUNTIME\)$", makefile, flags=re.MULTILINE)
    assert re.search(r"^\$\(RUNTIME\): requirements.txt", makefile, flags=re.MULTILINE)
    assert "--require-hashes" in makefile
    assert "COPY requirements.txt ./" in (REPO / "Dockerfile").read_text(encoding="utf-8")


def test_the_monitoring_snippets_in_deploy_md_parse_and_name_metrics_the_bot_exports() -> None:
    import re

    from bot.telegram.metrics import Metrics

    section = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8").split("## Monitoring")[1]
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, re.S)]
    scrape, rules = blocks[:2]
    assert scrape["scrape_configs"][0]["static_configs"][0]["targets"] == ["parley-bot:9464"]
    exported = {m.name for m in Metrics().registry.collect()}
    alerts = rules["groups"][0]["rules"]
    assert len(alerts) == 2
    named = {n for a in alerts for n in re.findall(r"parley_[a-z_]+", a["expr"])}
    assert named <= exported, named - exported
    assert "METRICS_PORT=9464" in (REPO / "Dockerfile").read_text(encoding="utf-8")
