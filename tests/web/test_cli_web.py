"""`python -m bot web-login TELEGRAM_ID` and `python -m bot web` as real processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import httpx

from tests.e2e.console_process import REPO, bot_env
from tests.e2e.site_process import free_port, review_site
from tests.web.conftest import NONCE_RE, SECRET, World

BASE = "http://parley.test:8080"


def cli(database: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=bot_env(database, **env),
        timeout=60,
        check=False,
    )


def database_of(world: World) -> Path:
    url = str(world.sessions.engine.url)
    return Path(url.removeprefix("sqlite:///"))


def test_web_login_prints_a_full_url_that_signs_the_instructor_in(world: World) -> None:
    done = cli(database_of(world), "web-login", "7001", WEB_SECRET_KEY=SECRET, WEB_BASE_URL=BASE)
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip()
    assert url.startswith(f"{BASE}/login?token=") and "\n" not in url
    client = world.client()
    landing = client.get(url.removeprefix(BASE))
    nonce = NONCE_RE.search(landing.text)
    assert nonce is not None
    token = unquote(url.partition("token=")[2])
    assert client.post("/login", data={"token": token, "nonce": nonce.group(1)}).status_code == 303
    assert "Negotiation 101" in client.get("/").text


def test_web_login_refuses_an_unknown_user_and_a_missing_secret(world: World) -> None:
    unknown = cli(database_of(world), "web-login", "424242", WEB_SECRET_KEY=SECRET)
    assert unknown.returncode == 1 and "unknown to Parley" in unknown.stderr
    assert unknown.stdout == ""
    no_secret = cli(database_of(world), "web-login", "7001", WEB_SECRET_KEY="")
    assert no_secret.returncode == 1 and "WEB_SECRET_KEY is not set" in no_secret.stderr
    assert no_secret.stdout == ""


def test_the_site_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    done = cli(tmp_path / "parley.db", "web", WEB_SECRET_KEY="")
    assert done.returncode == 1
    assert "WEB_SECRET_KEY is not set" in done.stderr and "secrets.token_urlsafe" in done.stderr


def test_web_serves_the_site_and_logs_no_tokens(world: World) -> None:
    database = database_of(world)
    env = {"WEB_SECRET_KEY": SECRET, "LOG_LEVEL": "DEBUG"}
    log_file = database.parent / "web.log"
    port = free_port()
    with review_site(database, log_file, port, **env) as base:
        url = cli(database, "web-login", "7001", WEB_PORT=str(port), **env).stdout.strip()
        assert url.startswith(f"{base}/login?token=")
        with httpx.Client(base_url=base, follow_redirects=False) as browser:
            assert browser.get("/").headers["location"] == "/signin"
            landing = browser.get(url.removeprefix(base))
            nonce = NONCE_RE.search(landing.text)
            assert nonce is not None
            token = unquote(url.partition("token=")[2])
            signed = browser.post("/login", data={"token": token, "nonce": nonce.group(1)})
            assert signed.status_code == 303
            assert "Negotiation 101" in browser.get("/").text
            chart = browser.get("/chart.png?power=risk&time=watch")  # draws with Pillow
            assert chart.headers["content-type"] == "image/png"
            cookie = browser.cookies.get("parley_session")
    output = log_file.read_text()
    assert "review site listening" in output and "web sign-in user=" in output
    assert token not in output and token.partition(".")[0] not in output
    assert cookie and cookie not in output
    # DEBUG is for Parley's own lines: PIL's PNG chunks stay out.
    noise = [
        line for line in output.splitlines() if " DEBUG matplotlib" in line or " DEBUG PIL" in line
    ]
    assert noise == [], noise[:5]
