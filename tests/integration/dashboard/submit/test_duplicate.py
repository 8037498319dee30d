"""Duplicate: /tasks/new/?from=<id> fills the form from a task, escaped, without its key."""

from __future__ import annotations

from uuid import uuid4

from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain.ports import SubmitRequest

from .helpers import NEW, task_count

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


def test_the_form_is_filled_from_the_task(operator: Client, services: Services) -> None:
    source = services.tasks.submit(
        SubmitRequest(
            name="demo.tasks.greet",
            args=["Ada"],
            kwargs={},
            queue="mail",
            priority=-20,
            max_attempts=6,
            unique_key="greet-ada",
        )
    ).task

    response = operator.get(NEW, {"from": str(source.id)})

    assert response.status_code == 200
    form = response.context["form"]
    values = {name: form[name].value() for name in ("task", "queue", "priority", "max_attempts")}
    expected = {"task": "demo.tasks.greet", "queue": "mail", "priority": -20, "max_attempts": 6}
    assert values == expected
    assert form["args"].value() == '[\n  "Ada"\n]'
    assert form["kwargs"].value() == "{}"
    # A copy with the same unique key would only find the original: the key is left out.
    assert form["unique_key"].value() is None
    assert '<option value="demo.tasks.greet" selected>' in response.text
    assert task_count(services) == 1


def test_the_copy_can_be_submitted_as_it_is(operator: Client, services: Services) -> None:
    source = services.tasks.submit(SubmitRequest(name="demo.tasks.add", args=[1, 2])).task
    form = operator.get(NEW, {"from": str(source.id)}).context["form"]
    body = {name: form[name].value() or "" for name in form.fields}

    response = operator.post(NEW, body)

    assert response.status_code == 303
    assert task_count(services) == 2


def test_markup_in_the_source_task_is_escaped(operator: Client, services: Services) -> None:
    source = services.tasks.submit(
        SubmitRequest(name="demo.tasks.add", args=[SCRIPT, IMG], kwargs={}, queue="q")
    ).task

    html = operator.get(NEW, {"from": str(source.id)}).text

    assert SCRIPT not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\\&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_an_unknown_source_is_reported_not_a_crash(operator: Client, services: Services) -> None:
    for source in (str(uuid4()), "not-a-uuid", SCRIPT):
        response = operator.get(NEW, {"from": source})

        assert response.status_code == 200
        assert "There is no task" in response.text
        assert SCRIPT not in response.text
    assert task_count(services) == 0
