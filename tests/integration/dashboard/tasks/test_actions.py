"""Cancel, retry, run now and delete from the task page: permissions, CSRF, POST only, audit."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain import TaskNotFound, TaskStatus
from scheduler_core.models import AuditEntry

from ..conftest import LoginAs
from .conftest import Make, Submit

ACTIONS = ("cancel", "retry", "run-now", "delete")


def url(task_id: object, name: str) -> str:
    return f"/tasks/{task_id}/{name}/"


def messages_of(client: Client, path: str) -> str:
    return client.get(path).content.decode()


def test_cancel_a_waiting_task(operator: Client, services: Services, submit: Submit) -> None:
    task = submit()

    response = operator.post(url(task.id, "cancel"))

    assert (response.status_code, response["Location"]) == (303, f"/tasks/{task.id}/")
    assert services.tasks.status(task.id).status is TaskStatus.CANCELLED
    assert "Task demo.tasks.add cancelled" in messages_of(operator, response["Location"])
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.source) == ("cancel", "operator-user", "dashboard")
    assert (entry.task_ids, entry.from_status) == ([str(task.id)], "ready")


def test_cancel_of_a_running_task_asks_its_worker(
    operator: Client, services: Services, running: Make
) -> None:
    task = running()

    operator.post(url(task.id, "cancel"))

    stored = services.tasks.status(task.id)
    assert (stored.status, stored.cancel_requested) == (TaskStatus.RUNNING, True)
    assert AuditEntry.objects.get().from_status == "running"


def test_retry_a_failed_task(operator: Client, services: Services, failed: Make) -> None:
    task = failed()

    response = operator.post(url(task.id, "retry"))

    assert response.status_code == 303
    assert services.tasks.status(task.id).status is TaskStatus.READY
    assert AuditEntry.objects.get().action == "retry"
    transitions = services.tasks.transitions(task.id)
    assert transitions[-1].actor == "operator-user"


def test_run_now_a_scheduled_task(operator: Client, services: Services, submit: Submit) -> None:
    task = submit(run_after=services.clock.now() + timedelta(hours=1))

    response = operator.post(url(task.id, "run-now"))

    assert response.status_code == 303
    assert services.tasks.status(task.id).status is TaskStatus.READY
    assert (AuditEntry.objects.get().action, AuditEntry.objects.get().from_status) == (
        "run_now",
        "scheduled",
    )


def test_admin_deletes_a_finished_task_and_lands_on_the_list(
    admin: Client, services: Services, failed: Make
) -> None:
    task = failed()

    response = admin.post(url(task.id, "delete"))

    assert (response.status_code, response["Location"]) == (303, "/tasks/")
    with pytest.raises(TaskNotFound):
        services.tasks.status(task.id)
    assert "deleted" in messages_of(admin, "/tasks/")
    assert AuditEntry.objects.get().action == "delete"


def test_an_action_that_does_not_apply_says_why_and_changes_nothing(
    operator: Client, admin: Client, services: Services, running: Make, submit: Submit
) -> None:
    task = running()
    waiting = submit()

    retried = operator.post(url(task.id, "retry"))
    deleted = admin.post(url(waiting.id, "delete"))

    assert retried.status_code == deleted.status_code == 303
    assert "cannot retry a running task" in messages_of(operator, retried["Location"])
    assert "only finished tasks can be deleted" in messages_of(admin, deleted["Location"])
    assert services.tasks.status(task.id).status is TaskStatus.RUNNING
    assert services.tasks.status(waiting.id).status is TaskStatus.READY
    assert not AuditEntry.objects.exists()


def test_an_action_on_an_unknown_task_says_so(operator: Client, services: Services) -> None:
    response = operator.post(url(uuid4(), "cancel"))

    assert (response.status_code, response["Location"]) == (303, "/tasks/")
    assert "does not exist" in messages_of(operator, "/tasks/")


@pytest.mark.parametrize("name", ACTIONS)
def test_a_viewer_gets_403_on_every_action(
    viewer: Client, services: Services, failed: Make, name: str
) -> None:
    task = failed()

    assert viewer.post(url(task.id, name)).status_code == 403
    assert services.tasks.status(task.id).status is TaskStatus.FAILED


def test_an_operator_may_not_delete(operator: Client, services: Services, failed: Make) -> None:
    task = failed()

    assert operator.post(url(task.id, "delete")).status_code == 403
    assert services.tasks.status(task.id).status is TaskStatus.FAILED


@pytest.mark.parametrize("name", ACTIONS)
def test_get_on_an_action_is_405_and_changes_nothing(
    admin: Client, services: Services, submit: Submit, name: str
) -> None:
    task = submit()

    assert admin.get(url(task.id, name)).status_code == 405
    assert services.tasks.status(task.id).status is TaskStatus.READY
    assert not AuditEntry.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(
    login_as: LoginAs, services: Services, submit: Submit
) -> None:
    task = submit()
    client = login_as("admin", csrf=True)

    response = client.post(url(task.id, "cancel"))

    assert response.status_code == 403
    assert services.tasks.status(task.id).status is TaskStatus.READY


def test_anonymous_action_is_sent_to_log_in(
    client: Client, services: Services, submit: Submit
) -> None:
    task = submit()

    response = client.post(url(task.id, "cancel"))

    assert response.status_code == 302 and "/login" in response["Location"]
    assert services.tasks.status(task.id).status is TaskStatus.READY


def test_a_running_task_reads_cancelling_until_its_worker_confirms(
    operator: Client, running: Make
) -> None:
    task = running()

    response = operator.post(f"/tasks/{task.id}/cancel/", follow=True)
    body = response.content.decode()

    assert "is cancelling: its worker stops it now" in body
    assert "badge-cancelling" in body and "data-cancelling" in body
    assert "badge-cancelled" not in body
    listed = operator.get("/tasks/").content.decode()
    assert "badge-cancelling" in listed
