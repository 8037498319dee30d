"""The schedules list and detail pages: what they show, and that they show it escaped."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Schedule

from .conftest import XSS, stored_schedule

LIST = reverse("dashboard:schedules:list")


def detail(name: str) -> str:
    return reverse("dashboard:schedules:detail", args=[name])


def test_the_list_shows_timing_in_words_zone_state_and_actions(
    operator: Client, services: Services
) -> None:
    stored_schedule(services, timezone="Europe/Berlin", cron="0 6 * * 1-5")
    stored_schedule(services, name="heartbeat", cron=None, interval_seconds=300, enabled=False)

    page = operator.get(LIST).content.decode()

    assert "At 06:00, Monday through Friday" in page
    assert "Every 5 minutes" in page
    assert "Europe/Berlin" in page
    assert "badge-enabled" in page and "badge-paused" in page
    assert reverse("dashboard:schedules:run-now", args=["nightly"]) in page
    assert reverse("dashboard:schedules:resume", args=["heartbeat"]) in page
    assert reverse("dashboard:schedules:pause", args=["nightly"]) in page
    # Operators operate schedules; creating and deleting them is the admin's.
    assert reverse("dashboard:schedules:new") not in page


def test_a_viewer_sees_the_list_without_buttons(viewer: Client, nightly: Schedule) -> None:
    page = viewer.get(LIST).content.decode()

    assert "nightly" in page
    assert reverse("dashboard:schedules:run-now", args=["nightly"]) not in page
    assert reverse("dashboard:schedules:new") not in page


def test_an_admin_gets_the_new_edit_and_delete_links(admin: Client, nightly: Schedule) -> None:
    assert reverse("dashboard:schedules:new") in admin.get(LIST).content.decode()
    page = admin.get(detail("nightly")).content.decode()
    assert reverse("dashboard:schedules:edit", args=["nightly"]) in page
    assert reverse("dashboard:schedules:delete", args=["nightly"]) in page


def test_the_list_shows_the_last_run_with_a_link_to_its_task(
    operator: Client, services: Services, nightly: Schedule
) -> None:
    task = services.schedules.run_now("nightly")

    page = operator.get(LIST).content.decode()

    assert f"/tasks/{task.id}/" in page
    assert "badge-ready" in page


def test_the_list_refreshes_as_an_htmx_fragment(operator: Client, nightly: Schedule) -> None:
    response = operator.get(LIST, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="schedules-table"' in body
    assert "<html" not in body


def test_the_detail_shows_fields_the_next_five_runs_and_the_last_runs(
    viewer: Client, services: Services, nightly: Schedule
) -> None:
    first = services.schedules.run_now("nightly")

    page = viewer.get(detail("nightly")).content.decode()

    assert "At 03:00" in page
    assert "demo.tasks.add" in page
    # Five runs, each in Berlin time (CET or CEST) and in UTC.
    runs = services.schedules.next_runs(services.schedules.get("nightly"))
    for run in runs:
        assert run.strftime("%Y-%m-%d %H:%M:%S") in page
    assert page.count("03:00:00 CE") == 5
    assert f"/tasks/{first.id}/" in page


def test_runs_of_a_schedule_whose_name_extends_another_are_not_shown(
    viewer: Client, services: Services, nightly: Schedule
) -> None:
    other = stored_schedule(services, name="nightly:extra")
    theirs = services.schedules.run_now(other.name)

    page = viewer.get(detail("nightly")).content.decode()

    # "nightly:extra" keys start with "schedule:nightly:" too; its runs are not nightly's.
    assert str(theirs.id) not in page
    assert "No runs yet." in page


def test_an_unknown_schedule_is_404(viewer: Client, services: Services) -> None:
    assert viewer.get(detail("nope")).status_code == 404


def test_the_detail_refreshes_its_runs_as_a_fragment(
    viewer: Client, services: Services, nightly: Schedule
) -> None:
    task = services.schedules.run_now("nightly")

    response = viewer.get(detail("nightly"), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert 'id="schedule-live"' in body
    assert str(task.id) in body
    assert "<html" not in body


@pytest.mark.parametrize("payload", XSS)
def test_arguments_and_names_render_escaped(
    operator: Client, services: Services, payload: str
) -> None:
    # always_fails(message: str): a string argument its annotation accepts.
    stored_schedule(
        services, name="x-1", task="demo.tasks.always_fails", args=[], kwargs={"message": payload}
    )

    for url in (LIST, detail("x-1")):
        page = operator.get(url).content.decode()
        assert payload not in page
    assert "&lt;" in operator.get(detail("x-1")).content.decode()
