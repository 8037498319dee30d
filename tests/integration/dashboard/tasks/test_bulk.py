"""Bulk actions from the list: on the selected rows, and on everything a filter matches."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain import TaskFilter, TaskStatus
from scheduler_core.models import AuditEntry

from ..conftest import LoginAs
from .conftest import Make, Submit

BULK = "/tasks/bulk/"


def status_of(services: Services, task_id: UUID) -> TaskStatus:
    return services.tasks.status(task_id).status


def page_text(client: Client, path: str) -> str:
    return client.get(path).content.decode()


def test_cancel_the_selected_tasks_skipping_finished_ones(
    operator: Client, services: Services, submit: Submit, failed: Make
) -> None:
    chosen = [submit(), submit()]
    untouched = submit()
    done = failed()

    response = operator.post(
        BULK,
        {"action": "cancel", "ids": [str(t.id) for t in [*chosen, done]], "back": "queue=default"},
    )

    assert (response.status_code, response["Location"]) == (303, "/tasks/?queue=default")
    assert {status_of(services, t.id) for t in chosen} == {TaskStatus.CANCELLED}
    assert status_of(services, untouched.id) is TaskStatus.READY
    assert "2 tasks cancelled (a running task stops when its worker confirms); 1 skipped" in (
        page_text(operator, response["Location"])
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.count, entry.from_status) == ("bulk_cancel", 2, "ready")
    assert sorted(entry.task_ids) == sorted(str(t.id) for t in chosen)
    assert "1 skipped" in entry.target


def test_retry_the_selected_failed_tasks(
    operator: Client, services: Services, failed: Make
) -> None:
    tasks = [failed(), failed()]

    operator.post(BULK, {"action": "retry", "ids": [str(t.id) for t in tasks]})

    assert {status_of(services, t.id) for t in tasks} == {TaskStatus.READY}
    assert AuditEntry.objects.get().action == "bulk_retry"


def test_a_selection_where_nothing_applies_writes_no_audit(
    operator: Client, services: Services, submit: Submit
) -> None:
    task = submit()

    response = operator.post(BULK, {"action": "retry", "ids": [str(task.id)]})

    assert "0 tasks queued again; 1 skipped" in page_text(operator, response["Location"])
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "cancel"}, "Select at least one task"),
        ({"action": "cancel", "ids": ["nope"]}, "not a task id"),
    ],
)
def test_bad_selections_are_explained(
    operator: Client, services: Services, data: dict[str, object], message: str
) -> None:
    response = operator.post(BULK, data)

    assert response.status_code == 303
    assert message in page_text(operator, response["Location"])


def test_an_unknown_action_is_404(operator: Client, submit: Submit) -> None:
    task = submit()

    assert operator.post(BULK, {"action": "explode", "ids": [str(task.id)]}).status_code == 404
    assert operator.get(f"{BULK}explode/").status_code == 404


def test_bulk_permissions(
    viewer: Client, operator: Client, services: Services, submit: Submit, failed: Make
) -> None:
    waiting, done = submit(), failed()

    assert viewer.post(BULK, {"action": "cancel", "ids": [str(waiting.id)]}).status_code == 403
    assert viewer.get(f"{BULK}cancel/").status_code == 403
    assert viewer.post(f"{BULK}cancel/").status_code == 403
    assert operator.post(BULK, {"action": "delete", "ids": [str(done.id)]}).status_code == 403
    assert operator.get(f"{BULK}delete/").status_code == 403
    assert status_of(services, waiting.id) is TaskStatus.READY
    assert status_of(services, done.id) is TaskStatus.FAILED


def test_bulk_post_without_csrf_is_refused(
    login_as: LoginAs, services: Services, submit: Submit
) -> None:
    task = submit()
    client = login_as("admin", csrf=True)

    assert client.post(BULK, {"action": "cancel", "ids": [str(task.id)]}).status_code == 403
    assert client.post(f"{BULK}cancel/?queue=default").status_code == 403
    assert status_of(services, task.id) is TaskStatus.READY


def test_get_on_the_selection_action_is_405(operator: Client, submit: Submit) -> None:
    assert operator.get(BULK, {"action": "cancel"}).status_code == 405


def test_filter_bulk_shows_the_count_then_applies_it(
    operator: Client, services: Services, submit: Submit, running: Make, failed: Make
) -> None:
    # Claimed first: a claim takes every ready task of the queue.
    busy = running(queue="emails")
    done = failed(queue="emails")
    waiting = [submit(queue="emails", args=[n, n]) for n in range(3)]
    elsewhere = submit(queue="other")

    confirm = operator.get(f"{BULK}cancel/", {"queue": "emails"})
    body = confirm.content.decode()

    assert confirm.status_code == 200
    count = re.search(r'id="bulk-count">(\d+)<', body)
    assert count is not None and count.group(1) == "4"
    assert "of 5 matching" in body
    # Looking changes nothing.
    assert {status_of(services, t.id) for t in waiting} == {TaskStatus.READY}
    assert not AuditEntry.objects.exists()

    response = operator.post(f"{BULK}cancel/?queue=emails")

    assert (response.status_code, response["Location"]) == (303, "/tasks/?queue=emails")
    assert {status_of(services, t.id) for t in waiting} == {TaskStatus.CANCELLED}
    assert services.tasks.status(busy.id).cancel_requested
    assert status_of(services, done.id) is TaskStatus.FAILED
    assert status_of(services, elsewhere.id) is TaskStatus.READY
    assert "4 tasks cancelled" in page_text(operator, response["Location"])
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.count, entry.from_status) == ("bulk_cancel", 4, "mixed")
    assert "queue=emails" in entry.target


def test_filter_bulk_link_keeps_the_filter_but_not_the_page(
    operator: Client, submit: Submit
) -> None:
    submit(queue="emails")

    body = page_text(operator, "/tasks/?queue=emails&status=ready&size=25")

    assert 'href="/tasks/bulk/cancel/?queue=emails&amp;status=ready"' in body


def test_filter_bulk_with_nothing_to_do_offers_no_button(
    admin: Client, services: Services, submit: Submit
) -> None:
    submit()

    body = page_text(admin, f"{BULK}delete/")

    assert re.search(r'id="bulk-count">0<', body) and "Nothing to do" in body
    assert "<button" not in body.split("<main", 1)[1]


def test_filter_bulk_delete_by_admin(admin: Client, services: Services, failed: Make) -> None:
    tasks = [failed(), failed()]

    admin.post(f"{BULK}delete/?status=failed")

    assert services.tasks.count(TaskFilter()) == 0
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.count, entry.from_status) == ("bulk_delete", 2, "failed")
    assert sorted(entry.task_ids) == sorted(str(t.id) for t in tasks)


def test_filter_bulk_with_bad_filters_explains_and_changes_nothing(
    operator: Client, services: Services, submit: Submit
) -> None:
    task = submit()

    shown = operator.get(f"{BULK}cancel/", {"status": "exploded"})
    applied = operator.post(f"{BULK}cancel/?after=yesterday")

    assert shown.status_code == applied.status_code == 400
    assert "Select a valid choice" in shown.content.decode()
    assert "Enter a date and time" in applied.content.decode()
    assert status_of(services, task.id) is TaskStatus.READY


def test_the_confirm_page_states_the_cap(operator: Client, submit: Submit) -> None:
    submit()

    body = page_text(operator, f"{BULK}cancel/")

    assert "at most 100,000 tasks" in body
