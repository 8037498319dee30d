"""Hostile text in a task's arguments, result, errors and worker renders escaped everywhere."""

from __future__ import annotations

from django.test import Client

from scheduler_core.bootstrap import Services

from .conftest import XSS, Make, Submit, claim

RAW = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><img')


def assert_escaped(body: str) -> None:
    for raw in RAW:
        assert raw not in body, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_failed_task_with_hostile_text_is_escaped_on_list_and_detail(
    operator: Client, failed: Make
) -> None:
    task = failed(
        message=XSS,
        traceback=f"Traceback (most recent call last):\n  {XSS}\nValueError: {XSS}",
        worker_id=f"w{XSS}",
        name="demo.tasks.report",
        kwargs={XSS: XSS},
        unique_key=XSS,
    )

    listed = operator.get("/tasks/").content.decode()
    shown = operator.get(f"/tasks/{task.id}/").content.decode()

    assert_escaped(listed)
    assert_escaped(shown)
    # The worker link's path is quoted, not just escaped.
    assert "/workers/w%3Cscript%3E" in shown


def test_hostile_args_and_result_of_a_succeeded_task_are_escaped(
    operator: Client, services: Services, submit: Submit
) -> None:
    task = claim(submit(name="demo.tasks.greet", args=[XSS], queue="hostile"))
    services.workers.complete(task, XSS)

    listed = operator.get("/tasks/", {"search": "script"}).content.decode()
    shown = operator.get(f"/tasks/{task.id}/").content.decode()

    assert str(task.id) in listed
    assert_escaped(listed)
    assert_escaped(shown)


def test_hostile_filter_values_are_escaped_when_echoed(operator: Client, submit: Submit) -> None:
    submit()

    body = operator.get("/tasks/", {"search": XSS, "queue": "q"}).content.decode()
    confirm = operator.get("/tasks/bulk/cancel/", {"search": XSS}).content.decode()

    assert_escaped(body)
    for raw in RAW:
        assert raw not in confirm
