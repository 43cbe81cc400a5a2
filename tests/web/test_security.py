"""Forms need their CSRF token; student text stays text (no script, no template, no
`javascript:` link runs); every response carries the security headers."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import World, a_line_of, review_counts, sign_in
from tests.web.seed import HOSTILE_OTHER_SIDE, HOSTILE_TOPIC

OWN_SCRIPT = '<script src="/static/annotate.js" defer></script>'
JAVASCRIPT_HREF = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def forms(world: World, line_id: int) -> dict[str, dict[str, str]]:
    base = f"/sessions/{world.sofia_session}"
    return {
        f"{base}/annotations": {"line_id": str(line_id), "lesson_id": "power", "comment": "x"},
        f"{base}/verdicts": {"lesson_id": "power", "agree": "no"},
        f"{base}/feedback": {"text": "Well done"},
        "/logout": {},
    }


@pytest.mark.parametrize("token", ["missing", "empty", "wrong", "another browser's"])
def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    world: World, iris_client: tuple[TestClient, str], token: str
) -> None:
    client, csrf = iris_client
    other = sign_in(world, world.client(), world.iris)
    assert other != csrf
    value = {"missing": None, "empty": "", "wrong": csrf[:-1] + "x", "another browser's": other}
    before = review_counts(world)
    for path, fields in forms(world, a_line_of(world, world.sofia_session)).items():
        data = dict(fields)
        if value[token] is not None:
            data["csrf"] = str(value[token])
        response = client.post(path, data=data)
        assert response.status_code == 403, path
        assert "This form has expired" in response.text
    assert review_counts(world) == before
    assert client.get("/").status_code == 200  # still signed in: /logout was refused too


def test_a_post_that_is_not_a_small_form_is_refused(
    world: World, iris_client: tuple[TestClient, str]
) -> None:
    client, csrf = iris_client
    path = f"/sessions/{world.sofia_session}/feedback"
    as_json = client.post(path, json={"csrf": csrf, "text": "hi"})
    assert as_json.status_code == 400
    huge = client.post(path, data={"csrf": csrf, "text": "x" * 300_000})
    assert huge.status_code in (400, 413)
    assert client.post(path, data={"csrf": csrf, "text": ""}).status_code == 400
    assert review_counts(world)[2] == 0  # no feedback stored


def hostile_pages(world: World) -> list[str]:
    c, s = world.cohort_iris, world.sofia_session
    return [
        f"/sessions/{s}",
        f"/sessions/{s}/export.html",
        f"/cohorts/{c}/search?q=script",
        f"/cohorts/{c}/search?q=javascript",
        f"/cohorts/{c}/search?q=%7B%7B+7*7",
        f"/cohorts/{c}/students/{world.sofia.user_id}",
        f"/cohorts/{c}?q=%3Cscript%3E",
    ]


def test_script_tags_template_syntax_and_javascript_links_render_inert(
    world: World, iris_client: tuple[TestClient, str]
) -> None:
    client, csrf = iris_client
    note = "<img src=x onerror=alert(3)> {{ 7*7 }} javascript:alert(4)"
    line = a_line_of(world, world.sofia_session)
    base = f"/sessions/{world.sofia_session}"
    fields = {"csrf": csrf, "line_id": str(line), "lesson_id": "power", "comment": note}
    assert client.post(f"{base}/annotations", data=fields).status_code == 303
    assert client.post(f"{base}/feedback", data={"csrf": csrf, "text": note}).status_code == 303
    for path in hostile_pages(world):
        page = client.get(path)
        assert page.status_code == 200, path
        html = page.text
        # The one script is the site's own static file (issue 14's Annotate control); no
        # other script tag, and none with a body, may appear.
        scripts = re.findall(r"<script[^>]*>.*?</script>", html, re.IGNORECASE | re.DOTALL)
        assert set(scripts) <= {OWN_SCRIPT}, path
        assert html.lower().count("<script") == len(scripts), path
        assert not JAVASCRIPT_HREF.search(html), path
        assert "<img src=x" not in html, path  # the tag arrives as text only
        assert "Rent 49" not in html and "49 javascript" not in html, path
    session = client.get(base).text
    assert (
        "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; Rent {{ 7*7 }} for my flat" in session
    )
    assert "&lt;a href=&#34;javascript:alert(1)&#34;&gt;profile&lt;/a&gt;" in session
    assert "&lt;img src=x onerror=alert(3)&gt; {{ 7*7 }} javascript:alert(4)" in session
    search = client.get(f"/cohorts/{world.cohort_iris}/search?q=script").text
    assert "&lt;<mark>script</mark>&gt;" in search
    exported = client.get(f"{base}/export.json").json()
    said = [line["text"] for line in exported["transcript"] if line["from"] == "user"]
    assert HOSTILE_TOPIC in said and HOSTILE_OTHER_SIDE in said


def test_every_response_carries_the_security_headers(
    world: World, iris_client: tuple[TestClient, str]
) -> None:
    client, _csrf = iris_client
    anonymous = world.client()
    responses = [
        client.get("/"),
        client.get(f"/sessions/{world.sofia_session}"),
        client.get("/sessions/999999"),
        client.get("/no/such/page"),
        client.put("/"),
        anonymous.get("/"),
        anonymous.get("/login?token=x.y"),
        client.get("/static/site.css"),
        client.get("/static/annotate.js"),
    ]
    for response in responses:
        headers = response.headers
        policy = headers["content-security-policy"]
        assert "default-src 'none'" in policy
        # Scripts only from the site's own files: never inline, never eval, never elsewhere.
        script_src = [p.strip() for p in policy.split(";") if p.strip().startswith("script-src")]
        assert script_src in ([], ["script-src 'self'"])
        assert "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
    assert [r.status_code for r in responses[2:5]] == [404, 404, 405]
    export = client.get(f"/sessions/{world.sofia_session}/export.html")
    assert export.headers["content-disposition"].startswith("attachment;")
    assert "script-src" not in export.headers["content-security-policy"]
    assert client.get(f"/sessions/{world.sofia_session}").headers["cache-control"] == "no-store"
