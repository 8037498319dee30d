"""`manage.py demo_tasks` enqueues a mix of demo tasks through django.tasks."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from demo.management.commands.demo_tasks import KINDS
from scheduler_core.bootstrap import get_services, reset_services
from scheduler_core.domain import PageRequest, TaskFilter, TaskStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_services() -> Iterator[None]:
    """Services built from the test settings, forgotten afterwards."""
    reset_services()
    yield
    reset_services()


def test_enqueues_the_asked_number_of_demo_tasks_some_of_them_delayed() -> None:
    out = StringIO()

    call_command("demo_tasks", "--count", "40", "--seed", "3", stdout=out)

    page = get_services().tasks.list(TaskFilter(), PageRequest(limit=100))
    names = {task.name for task in page.items}
    statuses = {task.status for task in page.items}
    assert len(page.items) == 40
    assert names <= {task.module_path for task, _, _ in KINDS.values()}
    assert len(names) >= 4
    assert statuses == {TaskStatus.READY, TaskStatus.SCHEDULED}
    assert out.getvalue().startswith("Enqueued 40 demo tasks (")


@pytest.mark.parametrize(
    ("count", "message"), [("0", "from 1 to 10000"), ("lots", "'lots' is not a whole number")]
)
def test_a_bad_count_is_refused(count: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("demo_tasks", "--count", count)


def test_if_empty_enqueues_only_into_an_empty_database() -> None:
    first, second = StringIO(), StringIO()

    call_command("demo_tasks", "--count", "5", "--if-empty", stdout=first)
    call_command("demo_tasks", "--count", "5", "--if-empty", stdout=second)

    assert sum(get_services().tasks.counts().values()) == 5
    assert first.getvalue().startswith("Enqueued 5 demo tasks")
    assert second.getvalue().startswith("Tasks exist already")
