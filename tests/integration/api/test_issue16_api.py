"""Issue 16's API defects, on both engines: each answered 4xx (or right) now, never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services

from .conftest import MakeClient, post

TASKS = "/api/v1/tasks"
SCHEDULES = "/api/v1/schedules"


@pytest.fixture
def admin(client_for: MakeClient) -> Client:
    """A client of the admin role, which may manage schedules."""
    return client_for("admin")


@pytest.mark.parametrize("key", ["enqueued_after", "enqueued_before"])
@pytest.mark.parametrize("offset", ["+16:00", "-23:59"])
def test_offsets_postgresql_refuses_are_read_as_utc(
    operator: Client, services: Services, key: str, offset: str
) -> None:
    # Python takes offsets up to 23:59, PostgreSQL only up to 15:59 (was a 500 there).
    response = operator.get(TASKS, {key: f"2020-01-01T00:00:00{offset}"})

    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize("method", ["get", "patch", "delete", "post"])
def test_a_nul_in_a_schedule_name_is_refused(
    admin: Client, services: Services, method: str
) -> None:
    url = f"{SCHEDULES}/%00" + ("/pause" if method == "post" else "")

    response = getattr(admin, method)(url, {}, content_type="application/json")

    assert response.status_code == 422, response.content[:300]
    assert response.json()["error"]["field"] == "name"


def test_nul_in_a_schedule_name_is_not_found_below_the_api(services: Services) -> None:
    from scheduler_core.domain import ScheduleNotFound

    with pytest.raises(ScheduleNotFound):
        services.schedules.get("a\x00b")


def test_patch_with_an_unknown_field_is_refused(admin: Client, services: Services) -> None:
    post(admin, SCHEDULES, {"name": "n", "task": "demo.tasks.noop", "interval_seconds": 60})

    response = admin.patch(
        f"{SCHEDULES}/n", {"interval_second": 5}, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "interval_second"
    assert admin.get(f"{SCHEDULES}/n").json()["interval_seconds"] == 60


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"args": [1]}, "args"),
        ({"kwargs": {"c": 1}, "args": [1, 2]}, "kwargs"),
        # demo.tasks.add(a: float, b: float): annotated types are checked too (issue 17).
        ({"args": ["two", "three"]}, "args[0]"),
        ({"args": [1], "kwargs": {"b": [2]}}, "kwargs.b"),
    ],
)
def test_a_schedule_whose_arguments_do_not_fit_the_task_is_refused(
    admin: Client, services: Services, body: dict[str, Any], field: str
) -> None:
    schedule = {"name": "adder", "task": "demo.tasks.add", "interval_seconds": 60, **body}

    response = post(admin, SCHEDULES, schedule)

    assert response.status_code == 422, response.content[:300]
    assert response.json()["error"]["field"] == field
    assert services.schedules.all() == []


def test_a_schedule_change_whose_arguments_do_not_fit_is_refused(
    admin: Client, services: Services
) -> None:
    post(admin, SCHEDULES, {"name": "a", "task": "demo.tasks.add", "interval_seconds": 60,
                            "args": [1, 2]})  # fmt: skip

    response = admin.patch(f"{SCHEDULES}/a", {"args": [1]}, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "args"


@pytest.mark.parametrize(
    "value", [1e16, 1.0, -2.0, 1e300, 1.5e-300, 123456789012345678901234567890, 0.1]
)
def test_arguments_and_results_round_trip_exactly(
    operator: Client, services: Services, value: Any
) -> None:
    created = post(operator, TASKS, {"name": "demo.tasks.add", "args": [value, 0]})
    assert created.status_code == 201, created.content[:300]

    stored = services.tasks.status(created.json()["id"])

    assert stored.args == [value, 0]
    assert type(stored.args[0]) is type(value)
