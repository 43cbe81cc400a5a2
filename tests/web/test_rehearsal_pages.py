"""A preparation's rehearsal on the review site, beside the preparation: the student reads her
own replies with the cues found and the feedback given, her instructor reads the same, escaped."""

from __future__ import annotations

from tests.web import seed
from tests.web.conftest import World, sign_in

REPLY = "<b>Fine</b>, nobody else will rent to you like I do. What would make you stay?"


def _rehearse(world: World) -> None:
    for text in ("/rehearse", REPLY, "stop"):
        seed.say(world.coach, world.sofia.telegram_id, world.sofia.name, text)


def test_the_student_and_her_instructor_read_the_rehearsal_beside_the_preparation(
    world: World,
) -> None:
    _rehearse(world)
    client = world.client()
    sign_in(world, client, world.sofia.user_id)
    own = client.get(f"/sessions/{world.sofia_session}").text
    assert '<h2 id="rehearsal">Rehearsal</h2>' in own
    assert "&lt;b&gt;Fine&lt;/b&gt;, nobody else will rent to you like I do." in own
    assert "⚠ told them they have no options: “nobody else will rent to you like I do”" in own
    assert "✓ asked about their interests: “What would make you stay”" in own
    assert "Feedback given:" in own and "<b>Fine</b>" not in own
    assert own.index('id="rehearsal"') < own.index('id="feedback"')

    iris = world.client()
    sign_in(world, iris, world.iris)
    page = iris.get(f"/sessions/{world.sofia_session}").text
    assert "⚠ told them they have no options" in page
    assert f'href="/sessions/{world.tom_session}"' not in page


def test_a_preparation_never_rehearsed_shows_no_rehearsal_section(world: World) -> None:
    iris = world.client()
    sign_in(world, iris, world.iris)
    page = iris.get(f"/sessions/{world.sofia_session}").text
    assert 'id="rehearsal"' not in page
