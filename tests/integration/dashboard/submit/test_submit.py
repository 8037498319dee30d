"""A good submit stores exactly one task, audits it and lands on the task's page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from django.test import Client

# Registers send_welcome, whose unique key the task derives from its argument.
from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus
from scheduler_core.models import AuditEntry
from tests.integration.backend import sample_tasks  # noqa: F401

from .helpers import FUTURE, NEW, VALID, field_errors, task_count


def submitted(services: Services, location: str) -> Task:
    """The task a redirect to /tasks/<id>/ points at."""
    assert location.startswith("/tasks/") and location.endswith("/")
    return services.tasks.status(UUID(location.removeprefix("/tasks/").rstrip("/")))


def test_a_good_submit_stores_one_task_and_lands_on_its_page(
    operator: Client, services: Services
) -> None:
    response = operator.post(
        NEW,
        {
            **VALID,
            "args": "[1]",
            "kwargs": '{"b": 2.5}',
            "queue": "reports",
            "priority": "7",
            "max_attempts": "9",
            "unique_key": "add-once",
        },
    )

    assert response.status_code == 303
    task = submitted(services, response["Location"])
    assert response["Location"] == f"/tasks/{task.id}/"
    assert (task.name, task.args, task.kwargs) == ("demo.tasks.add", [1], {"b": 2.5})
    assert (task.queue, task.priority, task.max_attempts, task.unique_key) == (
        "reports",
        7,
        9,
        "add-once",
    )
    assert task.status is TaskStatus.READY
    assert task_count(services) == 1


def test_the_submit_is_audited_and_announced(operator: Client, services: Services) -> None:
    response = operator.post(NEW, VALID, follow=False)
    task = submitted(services, response["Location"])

    [entry] = AuditEntry.objects.all()
    assert (entry.action, entry.actor, entry.task_ids, entry.source) == (
        "submit",
        "operator-user",
        [str(task.id)],
        "dashboard",
    )
    page = operator.get(NEW)
    assert f"Submitted demo.tasks.add as task {task.id}." in page.text


def test_left_out_options_take_the_task_defaults(operator: Client, services: Services) -> None:
    response = operator.post(NEW, {**VALID, "task": "demo.tasks.greet", "args": '["Ada"]'})

    task = submitted(services, response["Location"])
    # greet is defined with priority=10; the others are the scheduler's defaults.
    assert (task.queue, task.priority, task.max_attempts) == ("default", 10, 3)
    assert task.unique_key is None


def test_empty_editors_mean_no_arguments(operator: Client, services: Services) -> None:
    response = operator.post(NEW, {**VALID, "task": "demo.tasks.noop", "args": "", "kwargs": " "})

    task = submitted(services, response["Location"])
    assert (task.args, task.kwargs) == ([], {})


def test_a_delay_schedules_the_task(operator: Client, services: Services) -> None:
    before = services.clock.now()
    response = operator.post(NEW, {**VALID, "delay": "3600"})

    task = submitted(services, response["Location"])
    assert task.status is TaskStatus.SCHEDULED
    assert before + timedelta(seconds=3600) <= task.run_after
    assert task.run_after <= services.clock.now() + timedelta(seconds=3600)


def test_run_at_is_read_in_the_chosen_time_zone(operator: Client, services: Services) -> None:
    response = operator.post(NEW, {**VALID, "run_at": FUTURE, "time_zone": "Europe/Berlin"})

    task = submitted(services, response["Location"])
    # Berlin is two hours ahead of UTC in July (summer time).
    assert task.run_after == datetime(2999, 7, 1, 10, 0, tzinfo=UTC)
    assert task.status is TaskStatus.SCHEDULED


def test_an_explicit_offset_needs_no_time_zone(operator: Client, services: Services) -> None:
    response = operator.post(NEW, {**VALID, "run_at": f"{FUTURE}-03:00", "time_zone": ""})

    assert submitted(services, response["Location"]).run_after == datetime(
        2999, 7, 1, 15, 0, tzinfo=UTC
    )


def test_a_held_unique_key_is_a_field_error_linking_the_live_task(
    operator: Client, services: Services
) -> None:
    first = submitted(services, operator.post(NEW, {**VALID, "unique_key": "once"})["Location"])

    response = operator.post(NEW, {**VALID, "args": "[3, 4]", "unique_key": "once"})

    assert response.status_code == 200
    [error] = field_errors(response, "unique_key")
    # The key is the user's text, escaped like everything else (quotes included).
    assert "already holds the unique key &#x27;once&#x27;" in error
    assert f'<a href="/tasks/{first.id}/">{first.id} (ready)</a>' in response.text
    assert task_count(services) == 1
    assert AuditEntry.objects.count() == 1


def test_a_key_the_task_derives_is_checked_too(operator: Client, services: Services) -> None:
    body = {**VALID, "task": "tests.integration.backend.sample_tasks.send_welcome", "args": "[5]"}
    first = operator.post(NEW, body)
    assert first.status_code == 303

    response = operator.post(NEW, body)

    [error] = field_errors(response, "unique_key")
    assert "&#x27;welcome:5&#x27;" in error
    assert task_count(services) == 1


def test_the_show_details_button_keeps_the_values_and_submits_nothing(
    operator: Client, services: Services
) -> None:
    typed = {**VALID, "task": "demo.tasks.greet", "args": '["Ada"]', "queue": "mail"}

    response = operator.post(NEW, {**typed, "action": "show"})

    assert response.status_code == 200
    assert "greet(name: str) -&gt; str" in response.text
    form = response.context["form"]
    assert not form.is_bound
    assert (form["args"].value(), form["queue"].value()) == ('["Ada"]', "mail")
    assert task_count(services) == 0


def test_a_held_key_with_markup_is_shown_escaped(operator: Client, services: Services) -> None:
    key = '"><img src=x onerror=alert(1)><script>alert(1)</script>'
    operator.post(NEW, {**VALID, "unique_key": key})

    response = operator.post(NEW, {**VALID, "unique_key": key})

    assert field_errors(response, "unique_key")
    assert "<img src=x" not in response.text
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert task_count(services) == 1
