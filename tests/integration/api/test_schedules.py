"""The /schedules endpoints: list, get, create, change, delete, pause, resume and validation."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Schedule
from scheduler_core.models import AuditEntry

from .conftest import MakeClient, post

API = "/api/v1/schedules"
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])
NIGHTLY: dict[str, Any] = {"name": "nightly", "task": "demo.tasks.noop", "cron": "0 3 * * *"}


@pytest.fixture
def admin(client_for: MakeClient) -> Client:
    """A client of the admin role, which holds manage_schedules."""
    return client_for("admin")


def _names(services: Services) -> list[str]:
    """The names of the stored schedules."""
    return [schedule.name for schedule in services.schedules.all()]


def test_create_get_and_list(admin: Client, services: Services) -> None:
    created = post(admin, API, {**NIGHTLY, "timezone": "Europe/Berlin"})

    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["enabled"], body["catch_up"]) == ("nightly", True, "skip")
    assert len(body["next_runs"]) == 5
    assert body["next_run_at"] is not None
    assert "03:00" in body["description"]
    assert admin.get(f"{API}/nightly").json() == body
    assert [s["name"] for s in admin.get(API).json()] == ["nightly"]


def test_change_pause_resume_and_delete_are_audited(
    admin: Client, services: Services, alias: str
) -> None:
    post(admin, API, NIGHTLY)

    changed = admin.patch(
        f"{API}/nightly", {"cron": None, "interval_seconds": 60}, content_type="application/json"
    )
    paused = post(admin, f"{API}/nightly/pause")
    resumed = post(admin, f"{API}/nightly/resume")
    deleted = admin.delete(f"{API}/nightly")

    assert changed.status_code == 200
    assert (changed.json()["interval_seconds"], changed.json()["cron"]) == (60, None)
    assert changed.json()["description"] == "Every 60 seconds"
    assert paused.json()["enabled"] is False
    assert resumed.json()["enabled"] is True
    assert deleted.status_code == 204
    assert _names(services) == []
    entries = AuditEntry.objects.using(alias).order_by("id")
    assert [(e.action, e.target) for e in entries] == [
        ("create_schedule", "nightly"),
        ("change_schedule", "nightly"),
        ("pause_schedule", "nightly"),
        ("resume_schedule", "nightly"),
        ("delete_schedule", "nightly"),
    ]


def test_viewer_reads_but_cannot_change(client_for: MakeClient, services: Services) -> None:
    services.schedules.create(Schedule(**NIGHTLY))
    viewer = client_for("viewer")

    assert viewer.get(f"{API}/nightly").status_code == 200
    assert post(viewer, API, {**NIGHTLY, "name": "other"}).status_code == 403
    assert post(viewer, f"{API}/nightly/pause").status_code == 403
    assert viewer.delete(f"{API}/nightly").status_code == 403
    assert _names(services) == ["nightly"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cron": "61 * * * *"}, "cron"),
        ({"cron": "* * *"}, "cron"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"cron": None, "interval_seconds": 0}, "interval_seconds"),
        ({"cron": None, "interval_seconds": -5}, "interval_seconds"),
        ({"task": "no.such.task"}, "task"),
        ({"name": "bad name!"}, "name"),
    ],
)
def test_bad_create_is_422_naming_the_field(
    admin: Client, services: Services, change: dict[str, Any], field: str
) -> None:
    response = post(admin, API, {**NIGHTLY, **change})

    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert _names(services) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cron": "61 * * * *"}, "cron"),
        ({"timezone": "Nowhere/Else"}, "timezone"),
        ({"cron": None, "interval_seconds": 0}, "interval_seconds"),
        ({"task": "no.such.task"}, "task"),
        ({"task": None}, "task"),
    ],
)
def test_bad_change_is_422_and_saves_nothing(
    admin: Client, services: Services, change: dict[str, Any], field: str
) -> None:
    services.schedules.create(Schedule(**NIGHTLY))

    response = admin.patch(f"{API}/nightly", change, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    stored = services.schedules.get("nightly")
    assert (stored.cron, stored.timezone, stored.task) == ("0 3 * * *", "UTC", "demo.tasks.noop")


def test_unknown_name_is_404(admin: Client, services: Services) -> None:
    patch = admin.patch(f"{API}/nope", {"enabled": False}, content_type="application/json")

    assert admin.get(f"{API}/nope").status_code == 404
    assert patch.status_code == 404
    assert admin.delete(f"{API}/nope").status_code == 404
    assert post(admin, f"{API}/nope/pause").status_code == 404
    assert post(admin, f"{API}/nope/resume").json()["error"]["code"] == "not_found"
