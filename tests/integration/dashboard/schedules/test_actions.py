"""Run now, pause and resume from the dashboard; who may do what; CSRF; GET changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Schedule
from scheduler_core.models import AuditEntry

from ..conftest import LoginAs
from .conftest import FORM, all_tasks


def url(name: str, schedule: str = "nightly") -> str:
    return reverse(f"dashboard:schedules:{name}", args=[schedule])


def test_run_now_submits_one_task_of_the_schedule_and_keeps_its_next_run(
    operator: Client, services: Services, nightly: Schedule
) -> None:
    response = operator.post(url("run-now"))

    assert response.status_code == 303
    assert response["Location"] == url("detail")
    [task] = all_tasks(services)
    assert (task.name, task.args) == ("demo.tasks.add", [1, 2])
    assert task.unique_key is not None and task.unique_key.startswith("schedule:nightly:")
    stored = services.schedules.get("nightly")
    assert stored.next_run_at == nightly.next_run_at
    assert stored.last_run_at == nightly.last_run_at
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target) == ("run_schedule_now", "nightly")
    assert entry.source == "dashboard"
    assert entry.task_ids == [str(task.id)]
    # The task shows as the schedule's last run.
    assert f"/tasks/{task.id}/" in operator.get(url("detail")).content.decode()


def test_run_now_works_on_a_paused_schedule_and_returns_to_the_list(
    operator: Client, services: Services
) -> None:
    services.schedules.create(
        Schedule(name="paused", task="demo.tasks.noop", interval_seconds=60, enabled=False)
    )

    response = operator.post(url("run-now", "paused"), {"back": "list"})

    assert response["Location"] == reverse("dashboard:schedules:list")
    assert len(all_tasks(services)) == 1
    assert services.schedules.get("paused").enabled is False


def test_pause_and_resume_flip_the_flag_and_are_audited(
    operator: Client, services: Services, nightly: Schedule
) -> None:
    operator.post(url("pause"))
    assert services.schedules.get("nightly").enabled is False

    operator.post(url("resume"))
    assert services.schedules.get("nightly").enabled is True

    actions = list(AuditEntry.objects.order_by("id").values_list("action", "target"))
    assert actions == [("pause_schedule", "nightly"), ("resume_schedule", "nightly")]
    assert all_tasks(services) == []


@pytest.mark.parametrize("name", ["run-now", "pause", "resume"])
def test_actions_on_an_unknown_schedule_are_404(
    operator: Client, services: Services, name: str
) -> None:
    assert operator.post(url(name, "nope")).status_code == 404


ACTIONS = ["run-now", "pause", "resume", "delete", "edit"]


@pytest.mark.parametrize("name", ACTIONS)
def test_a_viewer_gets_403_on_every_action(
    viewer: Client, services: Services, nightly: Schedule, name: str
) -> None:
    assert viewer.post(url(name), FORM).status_code == 403
    assert viewer.post(reverse("dashboard:schedules:new"), FORM).status_code == 403
    assert all_tasks(services) == []
    assert services.schedules.get("nightly") == nightly
    assert AuditEntry.objects.count() == 0


def test_operators_may_not_create_edit_or_delete(
    operator: Client, services: Services, nightly: Schedule
) -> None:
    new = reverse("dashboard:schedules:new")
    preview = reverse("dashboard:schedules:preview")

    assert operator.get(new).status_code == 403
    assert operator.post(new, {**FORM, "name": "other"}).status_code == 403
    assert operator.get(url("edit")).status_code == 403
    assert operator.post(url("edit"), {**FORM, "cron": "@hourly"}).status_code == 403
    assert operator.get(url("delete")).status_code == 403
    assert operator.post(url("delete")).status_code == 403
    assert operator.get(preview, {"cron": "@daily", "timezone": "UTC"}).status_code == 403
    assert [s.name for s in services.schedules.all()] == ["nightly"]
    assert services.schedules.get("nightly").cron == "0 3 * * *"


def test_a_viewer_may_not_use_the_preview(viewer: Client, services: Services) -> None:
    response = viewer.get(reverse("dashboard:schedules:preview"), {"cron": "@daily"})
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["run-now", "pause", "resume"])
def test_get_on_an_action_changes_nothing(
    operator: Client, services: Services, nightly: Schedule, name: str
) -> None:
    assert operator.get(url(name)).status_code == 405
    assert all_tasks(services) == []
    assert services.schedules.get("nightly").enabled is True


def test_get_on_delete_only_asks(admin: Client, services: Services, nightly: Schedule) -> None:
    admin.get(url("delete"))
    admin.get(url("edit"))
    assert services.schedules.get("nightly") == nightly


@pytest.mark.parametrize("name", ["run-now", "pause", "delete", "edit"])
def test_a_post_without_the_csrf_token_is_refused(
    login_as: LoginAs, services: Services, nightly: Schedule, name: str
) -> None:
    client = login_as("admin", csrf=True)

    response = client.post(url(name), {**FORM, "cron": "@hourly"})

    assert response.status_code == 403
    assert services.schedules.get("nightly") == nightly
    assert all_tasks(services) == []


def test_a_create_without_the_csrf_token_is_refused(login_as: LoginAs, services: Services) -> None:
    client = login_as("admin", csrf=True)

    assert client.post(reverse("dashboard:schedules:new"), FORM).status_code == 403
    assert services.schedules.all() == []


def test_a_post_with_the_csrf_token_goes_through(
    login_as: LoginAs, services: Services, nightly: Schedule
) -> None:
    client = login_as("operator", csrf=True)
    page = client.get(url("detail"))
    token = page.cookies["csrftoken"].value

    response = client.post(url("pause"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 303
    assert services.schedules.get("nightly").enabled is False
