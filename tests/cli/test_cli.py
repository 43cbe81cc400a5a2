"""`python -m bot` as operators and content authors use it."""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from tests.e2e.console_process import REPO, bot_env, run_bot


def test_help_lists_every_command(tmp_path: Path) -> None:
    done = run_bot(tmp_path / "p.db", "--help")
    for command in ("run", "chat", "sessions", "export", "db", "dialogues"):
        assert command in done.stdout


def test_no_token_starts_the_console_after_saying_how_to_connect_telegram(tmp_path: Path) -> None:
    done = run_bot(tmp_path / "data" / "p.db", stdin="")
    assert done.returncode == 0
    first_line = done.stdout.splitlines()[0]
    assert "TELEGRAM_BOT_TOKEN" in first_line
    assert "[Question 1 of" in done.stdout
    assert (tmp_path / "data" / "p.db").is_file()


def test_db_upgrade_creates_the_database(tmp_path: Path) -> None:
    done = run_bot(tmp_path / "new" / "p.db", "db", "upgrade")
    assert done.returncode == 0
    assert "up to date" in done.stdout
    assert (tmp_path / "new" / "p.db").is_file()


def test_dialogues_validate_accepts_the_shipped_script(tmp_path: Path) -> None:
    done = run_bot(tmp_path / "p.db", "dialogues", "validate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok:")
    single = run_bot(tmp_path / "p.db", "dialogues", "validate", "dialogues/coach.yaml")
    assert single.returncode == 0, single.stderr


def test_dialogues_validate_names_file_question_and_field_of_a_mistake(tmp_path: Path) -> None:
    script = (REPO / "dialogues" / "coach.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(script.replace("next: kind", "next: kindd", 1), encoding="utf-8")
    done = run_bot(tmp_path / "p.db", "dialogues", "validate", str(broken))
    assert done.returncode == 1
    assert f"{broken}: question 'topic', field 'next': unknown target 'kindd'" in done.stderr


def test_dialogues_validate_checks_the_folder_the_bot_would_load(tmp_path: Path) -> None:
    """PARLEY_DIALOGUES_DIR (a draft of the content) is what `dialogues validate` checks."""
    draft = tmp_path / "draft"
    shutil.copytree(REPO / "dialogues", draft)
    script = (draft / "coach.yaml").read_text(encoding="utf-8")
    (draft / "coach.yaml").write_text(script.replace("next: kind", "next: kindd", 1), "utf-8")

    def validate() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "dialogues", "validate"],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=bot_env(tmp_path / "p.db", PARLEY_DIALOGUES_DIR=str(draft)),
            timeout=60,
            check=False,
        )

    broken = validate()
    assert broken.returncode == 1
    assert "question 'topic', field 'next': unknown target 'kindd'" in broken.stderr
    (draft / "coach.yaml").write_text(script, "utf-8")
    fixed = validate()
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.startswith("ok:") and str(draft) in fixed.stdout


def test_dialogues_graph_prints_mermaid(tmp_path: Path) -> None:
    done = run_bot(tmp_path / "p.db", "dialogues", "graph", "dialogues/coach.yaml")
    assert done.returncode == 0
    assert done.stdout.startswith("flowchart TD")
    assert "topic --> kind" in done.stdout
    assert "-->|otherwise|" in done.stdout


def test_export_of_a_missing_session_is_a_clear_error(tmp_path: Path) -> None:
    done = run_bot(tmp_path / "p.db", "export", "99")
    assert done.returncode == 1
    assert "there is no session 99" in done.stderr


def test_export_formats_agree_with_each_other(tmp_path: Path) -> None:
    database = tmp_path / "p.db"
    run_bot(database, "chat", "--user", "ana", stdin="1\nA raise <b>now</b>\n")
    data = json.loads(run_bot(database, "export", "1", "--format", "json").stdout)
    assert set(data) >= {"session", "lessons", "transcript"}
    assert set(data["session"]) >= {
        "id",
        "user",
        "script",
        "script_version",
        "state",
        "status",
        "started_at",
        "updated_at",
    }
    md = run_bot(database, "export", "1", "--format", "md").stdout
    html = run_bot(database, "export", "1", "--format", "html").stdout
    assert md.startswith(r"# A raise \<b\>now\</b\>")
    assert "<h1>A raise &lt;b&gt;now&lt;/b&gt;</h1>" in html
    out = tmp_path / "s.html"
    run_bot(database, "export", "1", "--format", "html", "--output", str(out))
    assert out.read_text(encoding="utf-8") == html


def test_a_malformed_setting_is_named(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.e2e.console_process import bot_env

    done = subprocess.run(
        [sys.executable, "-m", "bot", "sessions"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=bot_env(tmp_path / "p.db", PARLEY_ADMIN_IDS="alice"),
        check=False,
    )
    assert done.returncode == 2
    assert "PARLEY_ADMIN_IDS" in done.stderr


def test_health_fails_until_the_database_is_migrated_then_passes(tmp_path: Path) -> None:
    database = tmp_path / "p.db"
    missing = run_bot(database, "health")
    assert missing.returncode == 1
    assert "no database at" in missing.stderr
    assert not database.exists(), "a health check must not create an empty database"
    database.touch()
    before = run_bot(database, "health")
    assert before.returncode == 1
    assert "migrations pending" in before.stderr
    run_bot(database, "db", "upgrade")
    after = run_bot(database, "health")
    assert after.returncode == 0
    assert after.stdout.strip() == "ok"


def test_health_with_a_metrics_port_asks_the_running_bots_healthz(tmp_path: Path) -> None:
    """A stuck bot (503) or none at all is unhealthy even while its database is fine."""
    database = tmp_path / "p.db"
    run_bot(database, "db", "upgrade")
    answers = [503, 200]

    class Healthz(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status = answers.pop(0)
            body = b'{"status": "stuck", "loops": ["poller"]}' if status == 503 else b"{}"
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Healthz)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def health() -> subprocess.CompletedProcess[str]:
        env = {**bot_env(database), "METRICS_PORT": str(port)}
        return subprocess.run(
            [sys.executable, "-m", "bot", "health"],
            capture_output=True, text=True, cwd=REPO, env=env, timeout=60, check=False,
        )  # fmt: skip

    stuck = health()
    assert (stuck.returncode, "poller" in stuck.stderr) == (1, True)
    assert health().returncode == 0
    server.shutdown()
    server.server_close()
    gone = health()
    assert (gone.returncode, "does not answer" in gone.stderr) == (1, True)
