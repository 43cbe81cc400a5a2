"""Rehearsal through the console: a real process, a real SQLite file, a SIGKILL mid-moment."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests import persona
from tests.e2e.console_process import ConsoleProcess, export_json, run_bot

SOFIA = "lease_single_issue"  # power and package at risk; the landlord, Mr. Okafor


def _prepared() -> list[str]:
    return persona.answers(SOFIA, date.today())  # the console runs on the real clock


def test_a_persona_rehearses_after_the_report_and_gets_a_summary(tmp_path: Path) -> None:
    database = tmp_path / "parley.db"
    replies = [
        "1",  # the offer's button under the report
        "We have other options too. What would make you keep the rent as it is?",
        "2",  # Next
        "ok fine, we'll pay more",
        "1",  # Try again
        "What if we sign for two years in exchange for keeping the rent?",
        "2",  # Next
        "stop",
    ]
    done = run_bot(
        database, "chat", "--user", "sofia", stdin="\n".join([*_prepared(), *replies]) + "\n"
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Want to practise? I'll play Mr. Okafor" in out
    assert "Moment 1 of 4 · Power is not size" in out
    assert "Mr. Okafor: “We can get this elsewhere" in out
    assert "✓ You named your own alternative without a threat: “We have other options too”." in out
    assert "Mr. Okafor: “The rent is not negotiable.”" in out  # her own single issue
    assert "⚠ “ok fine” gives in at once" in out
    assert "Try again: Mr. Okafor: “The rent is not negotiable.”" in out
    assert "✓ You widened the talk beyond one issue" in out
    assert "Your best reply: “We have other options too." in out
    assert "To remember:" in out
    assert "Rehearsal stopped. /rehearse 1 starts a new one" in out

    export = export_json(database, 1)
    (rehearsal,) = export["rehearsal"]
    assert rehearsal["status"] == "stopped"
    power, package, *_rest = rehearsal["moments"]
    assert [r["text"] for r in power["replies"]] == [replies[1]]
    assert [c["cue"] for c in power["replies"][0]["cues"]] == ["own_alternative", "asks_interest"]
    assert [r["attempt"] for r in package["replies"]] == [1, 2]
    assert package["replies"][0]["traps"][0]["trap"] == "caves"
    said = [line["text"] for line in export["transcript"] if line["from"] == "user"]
    assert replies[5] in said  # the rehearsal is in the preparation's transcript


def test_sigkill_in_the_middle_of_a_moment_then_rehearse_continues_it(tmp_path: Path) -> None:
    database = tmp_path / "parley.db"
    first = run_bot(
        database, "chat", "--user", "sofia", stdin="\n".join([*_prepared(), "/rehearse"]) + "\n"
    )
    assert first.returncode == 0, first.stderr
    console = ConsoleProcess(database, "--user", "sofia", "--resume", "1")
    console.wait_for("is complete")
    console.send("/rehearse")
    console.wait_for("Your reply?")
    console.send("Fine by us, nobody else will give you a tenant like me.")
    console.wait_for("Why:")
    console.send("1")  # Try again
    console.wait_for("Try again: Mr. Okafor")
    console.kill()  # between the moment's line and the person's second reply

    again = ConsoleProcess(database, "--user", "sofia", "--resume", "1")
    again.wait_for("is complete")
    again.send("/rehearse")
    continued = again.wait_for("Your reply?")
    assert any("Back to the rehearsal." in line for line in continued)
    assert any("Moment 1 of 4" in line for line in continued)  # the same moment, not the next
    again.send("I hear you. We also have another landlord interested in us.")
    feedback = again.wait_for("Why:")
    assert any("You named your own alternative" in line for line in feedback)
    assert again.close() == 0

    (rehearsal,) = export_json(database, 1)["rehearsal"]
    moment = rehearsal["moments"][0]
    assert [r["attempt"] for r in moment["replies"]] == [1, 2]
    assert moment["replies"][0]["traps"][0]["trap"] == "dismisses"
    assert rehearsal["status"] == "active"


def test_a_rehearsal_of_someone_elses_or_an_unfinished_preparation_is_refused(
    tmp_path: Path,
) -> None:
    database = tmp_path / "parley.db"
    run_bot(database, "chat", "--user", "sofia", stdin="\n".join(_prepared()) + "\n")
    other = run_bot(
        database, "chat", "--user", "ana", stdin="1\nA raise\n/rehearse 1\n/rehearse 2\n"
    )
    assert "I can't find a finished preparation #1 of yours to rehearse." in other.stdout
    assert "Preparation #2 isn't finished yet" in other.stdout
    assert run_bot(database, "chat", "--user", "ana", stdin="/rehearse x\n").returncode == 0
