"""Issue 16's dashboard and admin defects, on both engines: a form error or a 4xx, never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LoginAs

HUGE_INT = "9" * 5000
ADMIN_SCHEDULE = "/admin/scheduler_core/schedulerecord/add/"
SUBMIT = "/tasks/new/"


@pytest.mark.parametrize(
    "url",
    [
        "/tasks/?after=0001-01-01T00:00:00%2B01:00",
        "/tasks/?before=9999-12-31T23:59:59-01:00",
        "/tasks/bulk/cancel/?after=0001-01-01T00:00:00%2B01:00",
        "/audit/?day=9999-12-31",
        "/workers/%00/",
        "/schedules/%00/",
    ],
)
def test_hostile_query_strings_and_paths(login_as: LoginAs, url: str) -> None:
    response = login_as("admin").get(url)

    assert 400 <= response.status_code < 500 or (
        response.status_code == 200 and response.context["form"].errors
    ), (response.status_code, response.content[:300])


@pytest.mark.parametrize("key", ["after", "before"])
def test_an_unholdable_moment_is_a_field_error(login_as: LoginAs, key: str) -> None:
    moment = "0001-01-01T00:00:00+01:00" if key == "after" else "9999-12-31T23:59:59-01:00"

    response = login_as("viewer").get("/tasks/", {key: moment})

    assert response.status_code < 500
    assert "out of range" in str(response.context["form"].errors[key])


def test_an_unholdable_day_is_a_field_error(login_as: LoginAs) -> None:
    response = login_as("admin").get("/audit/", {"day": "9999-12-31"})

    assert response.status_code == 200
    assert "out of range" in str(response.context["form"].errors["day"])


def test_the_submit_form_refuses_a_5000_digit_integer(login_as: LoginAs) -> None:
    body = {"task": "demo.tasks.add", "args": f"[{HUGE_INT}, 1]", "kwargs": "{}",
            "time_zone": "UTC"}  # fmt: skip

    response = login_as("operator").post(SUBMIT, body)

    assert response.status_code < 500
    assert "4300 digits" in str(response.context["form"].errors["args"])


def _admin_schedule(**fields: Any) -> dict[str, Any]:
    return {
        "name": "s",
        "task": "demo.tasks.add",
        "cron": "0 6 * * *",
        "timezone": "UTC",
        "catch_up": "skip",
        "catch_up_limit": "10",
        "args": "[1, 2]",
        "kwargs": "{}",
        **fields,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (f"[{HUGE_INT}, 1]", "4300 digits"),
        ('["\\ud800", 1]', "lone surrogate"),
        ("[" * 200_000 + "]" * 200_000, "nested too deeply"),
        ("[1]", "missing a required argument"),
    ],
    ids=["huge int", "lone surrogate", "deep JSON", "arguments do not fit"],
)
def test_the_admin_schedule_form_refuses_hostile_arguments(
    login_as: LoginAs, args: str, message: str
) -> None:
    response = login_as("superuser").post(ADMIN_SCHEDULE, _admin_schedule(args=args))

    assert response.status_code == 200, response.content[:300]
    errors = response.context["adminform"].form.errors
    assert message in str(errors["args"]), errors


def test_the_dashboard_schedule_form_checks_the_arguments(login_as: LoginAs) -> None:
    body = {"name": "s", "task": "demo.tasks.add", "cron": "", "interval_seconds": "60",
            "timezone": "UTC", "catch_up": "skip", "catch_up_limit": "10", "args": "[1]",
            "kwargs": "{}", "enabled": "on"}  # fmt: skip

    response = login_as("admin").post("/schedules/_new/", body)

    assert response.status_code < 500
    assert "missing a required argument" in str(response.context["form"].errors["args"])


def test_the_admin_schedule_form_refuses_a_taken_name(login_as: LoginAs) -> None:
    # Found by the property test on PostgreSQL: the model form's unique check read the default
    # database, and the service's refusal then came out of save_model as a 500.
    client = login_as("superuser")
    assert client.post(ADMIN_SCHEDULE, _admin_schedule()).status_code == 302

    again = client.post(ADMIN_SCHEDULE, _admin_schedule())

    assert again.status_code == 200
    assert "exists" in str(again.context["adminform"].form.errors["name"])
