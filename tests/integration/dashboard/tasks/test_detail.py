"""The task page: facts, arguments, result, attempts with errors, live until finished, 404."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from django.test import Client

from scheduler_core.bootstrap import Services

from .conftest import Make, Submit, claim


def detail(task_id: object) -> str:
    return f"/tasks/{task_id}/"


def test_anonymous_visitors_are_sent_to_log_in(client: Client, submit: Submit) -> None:
    response = client.get(detail(submit().id))

    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_facts_and_arguments_of_a_waiting_task(viewer: Client, submit: Submit) -> None:
    task = submit(
        args=[40, 2], queue="maths", priority=5, unique_key="sum-42", timeout=30, max_attempts=4
    )

    body = viewer.get(detail(task.id)).content.decode()

    assert str(task.id) in body and "demo.tasks.add" in body
    assert "badge-ready" in body and "maths" in body and "sum-42" in body
    assert "0 of 4" in body and "30.0 s" in body
    assert "[\n  40,\n  2\n]" in body
    assert "No attempt yet" in body and "No result yet" in body


def test_a_succeeded_task_shows_its_result_and_stops_polling(
    viewer: Client, services: Services, submit: Submit
) -> None:
    task = claim(submit(args=[40, 2], queue="sums"))
    services.workers.complete(task, {"sum": 42})

    body = viewer.get(detail(task.id)).content.decode()

    assert "&quot;sum&quot;: 42" in body and "badge-succeeded" in body
    assert "data-live" not in body and "hx-trigger" not in body


def test_a_waiting_task_polls_its_live_region(viewer: Client, submit: Submit) -> None:
    task = submit()

    page = viewer.get(detail(task.id)).content.decode()
    fragment = viewer.get(detail(task.id), headers={"HX-Request": "true"}).content.decode()

    assert "data-live" in page and 'hx-trigger="every 2s, live-refresh"' in page
    assert 'id="live-toggle"' in page
    assert fragment.lstrip().startswith('<div id="task-live"') and "<html" not in fragment


def test_every_attempt_is_on_the_timeline_with_its_worker_and_error(
    viewer: Client, services: Services, submit: Submit
) -> None:
    task = submit(queue="flaky", max_attempts=2)
    first = claim(task, "w-one")
    services.workers.fail(first, ValueError("first failure"))
    services.tasks.run_now(task.id, actor="op")
    second = claim(task, "w-two")
    services.workers.fail(second, KeyError("second failure"))

    body = viewer.get(detail(task.id)).content.decode()

    assert "Attempt 1" in body and "Attempt 2" in body
    assert 'href="/workers/w-one/"' in body and 'href="/workers/w-two/"' in body
    assert "builtins.ValueError" in body and "first failure" in body
    assert "builtins.KeyError" in body and "second failure" in body
    assert body.count("<summary>Traceback</summary>") == 2
    assert "Waited" in body and "Every state change" in body
    assert "run now" in body and "op" in body
    assert "data-live" not in body


def test_a_running_task_shows_a_running_attempt(viewer: Client, running: Make) -> None:
    task = running("w9")

    body = viewer.get(detail(task.id)).content.decode()

    assert "Attempt 1" in body and "still running" in body and 'href="/workers/w9/"' in body


def test_an_unknown_task_is_a_404_page(viewer: Client, services: Services) -> None:
    missing = uuid4()

    response = viewer.get(detail(missing))

    assert response.status_code == 404
    assert "Task not found" in response.content.decode()
    assert str(missing) in response.content.decode()


def test_a_poll_of_a_deleted_task_stops_polling(viewer: Client, services: Services) -> None:
    response = viewer.get(detail(uuid4()), headers={"HX-Request": "true"})

    assert response.status_code == 286


def test_a_malformed_id_is_not_found(viewer: Client, services: Services) -> None:
    assert viewer.get("/tasks/not-a-uuid/").status_code == 404


def test_action_buttons_follow_state_and_permission(
    viewer: Client, operator: Client, admin: Client, submit: Submit, failed: Make
) -> None:
    waiting = submit()
    broken = failed()

    def actions(client: Client, task_id: object) -> set[str]:
        body = client.get(detail(task_id)).content.decode()
        names = ("cancel", "retry", "run-now", "delete")
        return {name for name in names if f'/{task_id}/{name}/"' in body}

    assert actions(viewer, waiting.id) == set() and actions(viewer, broken.id) == set()
    assert actions(operator, waiting.id) == {"cancel"}
    assert actions(operator, broken.id) == {"retry"}
    assert actions(admin, broken.id) == {"retry", "delete"}


def test_run_now_is_offered_for_a_scheduled_task(
    operator: Client, services: Services, submit: Submit
) -> None:
    task = submit(run_after=services.clock.now() + timedelta(hours=1))

    body = operator.get(detail(task.id)).content.decode()

    assert f"/{task.id}/run-now/" in body and f"/{task.id}/cancel/" in body


def test_duplicate_links_to_the_submit_form_for_submitters(
    viewer: Client, operator: Client, submit: Submit
) -> None:
    task = submit()

    assert f"/tasks/new/?from={task.id}" in operator.get(detail(task.id)).content.decode()
    assert "?from=" not in viewer.get(detail(task.id)).content.decode()


def test_the_refresh_that_finds_the_task_finished_removes_the_live_badge(
    viewer: Client, failed: Make
) -> None:
    task = failed()

    fragment = viewer.get(f"/tasks/{task.id}/", headers={"HX-Request": "true"}).content.decode()
    page = viewer.get(f"/tasks/{task.id}/").content.decode()

    assert '<span id="live-controls" hx-swap-oob="true"></span>' in fragment
    assert "Pause live updates" not in page
