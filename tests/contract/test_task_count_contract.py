"""TaskRepository.count contract: the same filters as list(), counted whole."""

from __future__ import annotations

from datetime import timedelta

from scheduler_core.domain import PageRequest, TaskFilter, TaskStatus

from .factories import TaskFactory
from .kits import StorageKit


def test_count_of_an_empty_store_is_zero(kit: StorageKit) -> None:
    assert kit.tasks.count(TaskFilter()) == 0


def test_count_matches_every_filter_field(kit: StorageKit, make_task: TaskFactory) -> None:
    now = kit.now()
    make_task.add(queue="emails", name="app.send", args=["invoice"])
    make_task.add(queue="emails", name="app.other", kwargs={"doc": "Invoice 7"})
    make_task.add(queue="default", name="app.send", due=False)
    make_task.add_running("w1", queue="emails")
    make_task.add(enqueued_at=now - timedelta(hours=2), run_after=now - timedelta(hours=2))

    cases = {
        TaskFilter(): 5,
        TaskFilter(queue="emails"): 3,
        TaskFilter(name="app.send"): 2,
        TaskFilter(statuses=frozenset({TaskStatus.SCHEDULED, TaskStatus.RUNNING})): 2,
        TaskFilter(worker_id="w1"): 1,
        TaskFilter(search="INVOICE"): 2,
        TaskFilter(queue="emails", search="invoice", name="app.send"): 1,
        TaskFilter(enqueued_before=now - timedelta(hours=1)): 1,
        TaskFilter(enqueued_after=now - timedelta(hours=1)): 4,
        TaskFilter(queue="nowhere"): 0,
    }
    assert {f: kit.tasks.count(f) for f in cases} == cases


def test_count_agrees_with_the_pages_of_the_list(kit: StorageKit, make_task: TaskFactory) -> None:
    for n in range(7):
        make_task.add(queue="emails" if n % 2 else "default", args=[n])
    emails = TaskFilter(queue="emails")

    listed = kit.tasks.list(emails, PageRequest(limit=100)).items

    assert kit.tasks.count(emails) == len(listed) == 3
