"""Ids and page numbers that are not plain ASCII numbers within the column's range (`²`, `①`,
full-width digits, `2147483648`) are refused like any id that names nothing: 404 for an
address, 400 for a form field, never a 500 or a traceback in the log."""

from __future__ import annotations

import logging

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import World, review_counts

ODD = ["²", "①", "１２", "٣", "2147483648", "99999999999999999999999", "-1", "0"]


def test_an_odd_session_cohort_or_student_id_in_the_address_is_not_found(
    world: World, iris_client: tuple[TestClient, str], caplog: pytest.LogCaptureFixture
) -> None:
    client, _csrf = iris_client
    caplog.set_level(logging.INFO)
    for path in [
        path
        for odd in ODD
        for path in [
            f"/sessions/{odd}",
            f"/sessions/{odd}/export.json",
            f"/sessions/{odd}/export.html",
            f"/cohorts/{odd}",
            f"/cohorts/{odd}/search?q=rent",
            f"/cohorts/{odd}/levels.csv",
            f"/cohorts/{world.cohort_iris}/students/{odd}",
        ]
    ]:
        response = client.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert "There is nothing here" in response.text
    assert "Traceback" not in caplog.text


def test_an_odd_page_number_shows_the_first_page(
    world: World, iris_client: tuple[TestClient, str]
) -> None:
    client, _csrf = iris_client
    for path in [
        page
        for odd in ODD
        for page in (
            f"/cohorts/{world.cohort_iris}?page={odd}",
            f"/cohorts/{world.cohort_iris}/search?q=rent&page={odd}",
        )
    ]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)


def test_annotating_an_odd_line_id_is_refused_and_stores_nothing(
    world: World, iris_client: tuple[TestClient, str]
) -> None:
    client, csrf = iris_client
    before = review_counts(world)
    for odd in ODD:
        response = client.post(
            f"/sessions/{world.sofia_session}/annotations",
            data={"csrf": csrf, "line_id": odd, "lesson_id": "power", "comment": "see here"},
        )
        assert response.status_code == 400, (odd, response.text)
        assert "That transcript line does not exist." in response.text
    assert review_counts(world) == before
