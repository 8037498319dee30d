"""Every figure the pages show, computed from the database and compared with each page that
shows it: tasks per status and queue (overview, task list, queues page), failed attempts of
the last hour (overview chart, failures page) and tasks failed for good (queues page).

Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain import TaskError, TaskStatus
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.models import TaskErrorRecord, TaskRecord
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

# The order the pages show statuses in: the enum's (blocked workflow steps first).
STATUS_ORDER = [status.value for status in TaskStatus]


@pytest.fixture
def history(on_backend: Services, alias: str) -> None:
    """Tasks in every state over two queues, with failed attempts retried and not."""
    scheduler, workers, clock = on_backend.tasks, on_backend.workers, on_backend.clock
    queue = DjangoQueue(DjangoTaskRepository(alias))

    def submit(queue_name: str, **fields: Any) -> None:
        scheduler.submit(
            SubmitRequest(name="demo.tasks.add", args=[1, 2], queue=queue_name, **fields)
        )

    def fail_claimed(queue_name: str, n: int) -> None:
        for task in queue.claim("w1", [queue_name], n, timedelta(minutes=5)):
            workers.fail(
                task,
                TaskError(
                    attempt=task.attempt,
                    exception_type="builtins.ValueError",
                    message="boom",
                    traceback="",
                    failed_at=clock.now(),
                    worker_id="w1",
                ),
            )

    for _ in range(3):
        submit("mail", max_attempts=1)
    fail_claimed("mail", 3)  # three failed for good
    for _ in range(2):
        submit("reports", max_attempts=3)
    fail_claimed("reports", 2)  # two retrying after one failed attempt each
    for _ in range(4):
        submit("mail")
    for task in queue.claim("w1", ["mail"], 2, timedelta(minutes=5)):
        workers.complete(task, 3)
    submit("mail", run_after=clock.now() + timedelta(hours=1))
    submit("reports")
    queue.claim("w2", ["reports"], 1, timedelta(minutes=5))
    cancelled = scheduler.submit(
        SubmitRequest(name="demo.tasks.add", args=[1, 2], queue="mail")
    ).task
    scheduler.cancel(cancelled.id)


def truth_counts(alias: str) -> dict[str, Counter[str]]:
    """Tasks per queue and status, counted from the task table itself."""
    counts: dict[str, Counter[str]] = {}
    for queue, status in TaskRecord.objects.using(alias).values_list("queue", "status"):
        counts.setdefault(queue, Counter())[status] += 1
    return counts


def overview_counts(html: str, queue: str) -> list[int]:
    row = re.search(rf'<th scope="row"><a [^>]*>{queue}</a>(.*?)</tr>', html, re.S)
    assert row, f"no overview row for {queue}"
    cells = re.findall(r'<td class="num"[^>]*>(?:<a [^>]*>)?([^<]*)<', row.group(1))
    return [int(cell) for cell in cells[: len(STATUS_ORDER)]]


def list_counts(html: str) -> dict[str, int]:
    return {s: int(n) for s, n in re.findall(r'data-status-count="(\w+)">(\d+)<', html)}


def queue_page_cells(html: str, queue: str) -> list[int]:
    [row] = [row for row in html.split("<tr")[1:] if f'?queue={queue}">{queue}</a>' in row]
    return [int(cell.split("<")[0]) for cell in row.split('<td class="num">')[1:]]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_every_page_shows_the_figures_the_database_holds(
    viewer: Client, on_backend: Services, alias: str, history: None
) -> None:
    truth = truth_counts(alias)
    overview = viewer.get("/").content.decode()
    queues = viewer.get("/queues/").content.decode()

    for queue, counts in truth.items():
        assert overview_counts(overview, queue) == [counts[s] for s in STATUS_ORDER]
        in_queue = viewer.get(f"/tasks/?queue={queue}").content.decode()
        assert list_counts(in_queue) == {s: counts[s] for s in STATUS_ORDER}
        assert re.search(rf'data-total="{sum(counts.values())}"', in_queue)
        # The queues page: due (ready), scheduled, running, retrying, failed for good (1 h).
        failed_recently = TaskRecord.objects.using(alias).filter(
            queue=queue,
            status=TaskStatus.FAILED.value,
            finished_at__gte=on_backend.clock.now() - timedelta(hours=1),
        )
        assert queue_page_cells(queues, queue)[:5] == [
            counts["ready"],
            counts["scheduled"],
            counts["running"],
            counts["retrying"],
            failed_recently.count(),
        ]
    everything = sum(truth.values(), Counter())
    all_tasks = viewer.get("/tasks/").content.decode()
    assert list_counts(all_tasks) == {s: everything[s] for s in STATUS_ORDER}
    assert re.search(rf'data-total="{everything.total()}"', all_tasks)

    # Failed attempts of the last hour: the error rows, the overview's chart, the failures page.
    attempts = (
        TaskErrorRecord.objects.using(alias)
        .filter(failed_at__gte=on_backend.clock.now() - timedelta(hours=1))
        .count()
    )
    assert attempts == 5
    assert f"{attempts} failed attempts in the last hour" in overview
    failures = viewer.get("/failures/?window=1h").content.decode()
    on_page = re.findall(r'<td class="num">(\d+)</td>\s*<td class="num"><a', failures)
    assert sum(int(n) for n in on_page) == attempts
