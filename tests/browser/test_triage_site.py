"""Issue 14 in real headless Chromium: an instructor triages a cohort at 1280 and 375 px. The
heatmap sorts and filters and links each cell to its evidence, the review queue moves on to the
next new session, a disagreement carries a level and a reason; axe-core (vendored) finds no
serious violation on any page, and every control is a 24-px target."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.courses.service import CourseService
from bot.engine.content import load_content
from bot.wiring import coach_service
from storage.database import open_database
from tests.e2e.console_process import REPO, bot_env
from tests.e2e.site_process import free_port, review_site
from tests.web import seed

pytestmark = pytest.mark.timeout(240)
SECRET = "browser-triage-secret-key-of-32-characters-or-more"
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
SIZES = {"desktop": (1280, 800), "phone": (375, 740)}


@dataclass
class Cohort:
    database: Path
    site: str
    cohort_id: int
    sofia: int  # session ids
    aaron: int
    sofia_user: int


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cohort]:
    """Iris's cohort: Sofia (power at risk), Aaron (all clear), Nadia (no session yet)."""
    database = tmp_path_factory.mktemp("triage") / "parley.db"
    content = load_content()
    sessions = open_database(f"sqlite:///{database}")
    coach = coach_service(sessions, content)
    try:
        courses = CourseService(sessions, content, frozenset())
        cohort_id = seed.instructor_with_cohort(courses, 7001, "Iris", "Negotiation 101")
        sofia, aaron = seed.Student(1001, "Sofia"), seed.Student(1002, "Aaron")
        sofia_session = seed.coach(coach, sofia, "lease_single_issue")
        aaron_session = seed.coach(coach, aaron, "salary_well_prepared")
        seed.join_and_share(sessions, sofia.user_id, cohort_id, [sofia_session])
        seed.join_and_share(sessions, aaron.user_id, cohort_id, [aaron_session])
        seed.say(coach, 1003, "Nadia", "/start")
        nadia = courses.viewer_for_telegram(1003)
        assert nadia is not None
        seed.join_and_share(sessions, nadia.user_id, cohort_id, [])
    finally:
        coach.close()
        sessions.dispose()
    log_file = database.parent / "web.log"
    try:
        with review_site(database, log_file, free_port(), WEB_SECRET_KEY=SECRET) as site:
            yield Cohort(database, site, cohort_id, sofia_session, aaron_session, sofia.user_id)
    finally:
        print("site output:\n" + log_file.read_text()[-5000:])


def signed_in(chromium: Any, cohort: Cohort, size: str, bypass_csp: bool = True) -> tuple[Any, Any]:
    width, height = SIZES[size]
    phone = size == "phone"
    # bypass_csp: the site's policy forbids every script but its own file, axe-core included
    # (a test tool only); False to run the page under its real policy.
    context = chromium.new_context(
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
        bypass_csp=bypass_csp,
    )
    page = context.new_page()
    link = subprocess.run(
        [sys.executable, "-m", "bot", "web-login", "7001"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=bot_env(cohort.database, WEB_SECRET_KEY=SECRET, WEB_BASE_URL=cohort.site),
        timeout=60,
        check=True,
    ).stdout.strip()
    page.goto(link)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{cohort.site}/")
    return context, page


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical WCAG 2 A/AA violations on the current page."""
    page.add_script_tag(content=AXE.read_text())
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {runOnly: {type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}});
            return result.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "));
        }"""
    )
    return list(found)


def small_targets(page: Any) -> list[str]:
    """Links, buttons and fields in the page's main part smaller than 24 × 24 px (WCAG 2.5.8),
    not counting links inside a sentence."""
    found = page.evaluate(
        """() => [...document.querySelectorAll(
                "main a, main button, main summary, main select, main input:not([type=hidden])")]
            .filter(el => el.offsetParent !== null)
            .filter(el => !(el.tagName === "A" && el.closest("p:not(.crumbs), li.hit")))
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, box]) => box.height < 24 || box.width < 24)
            .map(([el, box]) => el.outerHTML.slice(0, 80) + " " + Math.round(box.width)
                + "x" + Math.round(box.height))"""
    )
    return list(found)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_heatmap_sorts_filters_and_opens_the_evidence(
    chromium: Any, cohort: Cohort, size: str
) -> None:
    context, page = signed_in(chromium, cohort, size)
    base = f"{cohort.site}/cohorts/{cohort.cohort_id}"
    page.goto(base)
    names = page.locator("table.heat tbody th.who a")
    assert names.all_inner_texts() == ["Aaron", "Nadia", "Sofia"]
    assert "No session yet" in page.locator("tr", has_text="Nadia").inner_text()
    width = SIZES[size][0]
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_label("Sort by").select_option("risk")
    page.get_by_role("button", name="Apply").click()
    assert names.all_inner_texts()[0] == "Sofia"

    page.get_by_label("Sort by").select_option("name")
    page.get_by_label("Lesson", exact=True).select_option("power")
    page.get_by_label("Level", exact=True).select_option("clear")
    page.get_by_role("button", name="Apply").click()
    assert names.all_inner_texts() == ["Aaron"]

    page.goto(base)
    if size == "desktop":  # the whole table is on screen: nothing clipped at 1280 px
        box = page.locator("table.heat").bounding_box()
        assert box is not None and box["x"] + box["width"] <= width
    else:  # a list: each student's five levels in one compact row inside the screen
        row = page.locator("tr", has_text="Sofia")
        cells = row.locator("td.cell")
        assert cells.count() == 5
        tops = {round(cells.nth(i).bounding_box()["y"]) for i in range(5)}
        assert len(tops) == 1, f"the five levels wrap onto {len(tops)} lines"
        last = cells.nth(4).bounding_box()
        assert last["x"] + last["width"] <= width
    page.locator("tr", has_text="Sofia").locator("td.cell a").first.click()
    page.wait_for_url(f"{cohort.site}/sessions/{cohort.sofia}#lesson-power")
    assert page.locator("#lesson-power").is_visible()
    context.close()


def test_the_review_queue_moves_on_to_the_next_new_session(chromium: Any, cohort: Cohort) -> None:
    context, page = signed_in(chromium, cohort, "desktop")
    assert "2 new sessions to review" in page.locator("main").inner_text()
    page.get_by_role("link", name="2 new sessions to review").click()
    assert page.locator("table.heat tbody th.who a").all_inner_texts() == ["Aaron", "Sofia"]
    page.goto(f"{cohort.site}/sessions/{cohort.sofia}")
    queue = page.get_by_role("navigation", name="Review queue")
    assert "New to you" in queue.inner_text()
    queue.get_by_role("button", name="Mark reviewed").click()
    # Sofia's came first, so the queue goes on to Aaron's, the next new one.
    page.wait_for_url(f"{cohort.site}/sessions/{cohort.aaron}?done=reviewed")
    assert page.get_by_role("status").inner_text() == "Marked reviewed."
    page.get_by_role("link", name="Negotiation 101").first.click()
    page.wait_for_url(f"{cohort.site}/cohorts/{cohort.cohort_id}")
    page.goto(f"{cohort.site}/")
    assert "1 new session to review" in page.locator("main").inner_text()
    context.close()


def test_a_disagreement_with_a_level_and_reason_on_a_phone(chromium: Any, cohort: Cohort) -> None:
    context, page = signed_in(chromium, cohort, "phone")
    page.goto(f"{cohort.site}/sessions/{cohort.sofia}")
    time = page.locator("#lesson-time")
    time.locator("summary").click()
    time.get_by_label("The level it should have").select_option("risk")
    time.get_by_label("Why, in a sentence").fill("The lease ends in a month: time is against her.")
    time.get_by_role("button", name="Disagree").click()
    assert page.get_by_role("status").inner_text() == "Your verdict is saved."
    assert "time is against her" in page.locator("#lesson-time").inner_text()
    pressed = page.locator("#lesson-time button[aria-pressed=true]")
    assert pressed.count() == 1 and "Disagree" in pressed.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_no_serious_accessibility_violation_and_no_small_target(
    chromium: Any, cohort: Cohort, size: str
) -> None:
    context, page = signed_in(chromium, cohort, size)
    paths = [
        "/",
        f"/cohorts/{cohort.cohort_id}",
        f"/cohorts/{cohort.cohort_id}/students/{cohort.sofia_user}",
        f"/cohorts/{cohort.cohort_id}/search?q=rent",
        f"/sessions/{cohort.sofia}",
        f"/sessions/{cohort.sofia}?view=flagged",
        f"/cohorts/{cohort.cohort_id}/trend",
    ]
    problems: dict[str, list[str]] = {}
    for path in paths:
        page.goto(cohort.site + path)
        found = serious_violations(page) + small_targets(page)
        if found:
            problems[path] = found
    assert problems == {}
    # The skip link comes first and takes the keyboard to the content.
    page.goto(f"{cohort.site}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    context.close()


def test_one_annotate_control_follows_the_selected_answer_and_a_draft_note_is_edited_and_deleted(
    chromium: Any, cohort: Cohort
) -> None:
    """Under the site's real Content-Security-Policy: the static script runs (no violation),
    the per-answer links give way to one control, and a note goes from draft to published."""
    context, page = signed_in(chromium, cohort, "desktop", bypass_csp=False)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{cohort.site}/sessions/{cohort.sofia}")
    rows = page.locator("article.answer-row")
    assert rows.count() > 20
    assert not rows.first.locator("a.annotate-link").is_visible()  # the script took over
    follow = page.locator("#annotate-follow")
    assert not follow.is_visible()

    chosen = rows.nth(6)
    chosen.locator(".bubble").click()
    assert follow.is_visible() and chosen.locator("#annotate-follow").count() == 1
    other = rows.nth(9)
    other.locator(".bubble").click()  # the control follows the selection
    assert other.locator("#annotate-follow").count() == 1
    assert chosen.locator("#annotate-follow").count() == 0
    follow.click()
    form = other.locator("#annotate-form")
    assert form.is_visible()
    line = other.get_attribute("data-line")
    assert form.locator("input[name=line_id]").input_value() == line
    form.get_by_label("Note on this answer").fill("Ask what the deadline really is.")
    form.get_by_label("Only instructors: a draft until I send feedback").check()
    form.get_by_role("button", name="Save note").click()
    page.wait_for_url(f"{cohort.site}/sessions/{cohort.sofia}?done=drafted#line-{line}")
    note = page.locator(f"#line-{line} .note")
    assert "Draft: the student does not see it yet" in note.inner_text()

    note.locator("summary").click()
    note.locator("textarea").fill("Ask what the deadline really costs them.")
    note.get_by_label("The student, now").check()
    note.get_by_role("button", name="Save changes").click()
    assert page.get_by_role("status").inner_text() == "Note changed."
    note = page.locator(f"#line-{line} .note")
    assert "really costs them" in note.inner_text() and "Draft" not in note.inner_text()

    note.locator("summary").click()
    note.get_by_role("button", name="Delete note").click()
    assert page.get_by_role("status").inner_text() == "Note deleted."
    assert page.locator(f"#line-{line} .note").count() == 0
    assert refused == []
    context.close()
