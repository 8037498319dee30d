"""TaskRepository listing contract: filters, newest-first keyset pages and status counts."""

from __future__ import annotations

import base64
import json
import random
from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from scheduler_core.domain import (
    Cursor,
    PageRequest,
    RetryPolicy,
    Task,
    TaskError,
    TaskFilter,
    TaskInvalid,
    TaskStatus,
)

from .factories import TaskFactory
from .kits import StorageKit


def listed(kit: StorageKit, task_filter: TaskFilter, limit: int = 100) -> list[UUID]:
    """Ids on the first page of the list."""
    return [task.id for task in kit.tasks.list(task_filter, PageRequest(limit=limit)).items]


def minutes_ago(kit: StorageKit, minutes: int) -> datetime:
    return kit.now() - timedelta(minutes=minutes)


def test_the_list_is_newest_enqueued_first_then_highest_id(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    moment = minutes_ago(kit, 5)
    older = make_task.add(enqueued_at=minutes_ago(kit, 10))
    twins = [make_task.add(enqueued_at=moment) for _ in range(3)]
    newest = make_task.add()

    expected = [newest.id, *sorted((t.id for t in twins), reverse=True), older.id]
    assert listed(kit, TaskFilter()) == expected


def test_statuses_filter(kit: StorageKit, make_task: TaskFactory) -> None:
    ready = make_task.add()
    scheduled = make_task.add(due=False)
    make_task.add_running("w1")

    wanted = frozenset({TaskStatus.READY, TaskStatus.SCHEDULED})
    assert set(listed(kit, TaskFilter(statuses=wanted))) == {ready.id, scheduled.id}


def test_queue_and_name_filters(kit: StorageKit, make_task: TaskFactory) -> None:
    email = make_task.add(queue="emails", name="app.send")
    make_task.add(queue="emails", name="app.other")
    make_task.add(queue="default", name="app.send")

    assert listed(kit, TaskFilter(queue="emails", name="app.send")) == [email.id]
    assert len(listed(kit, TaskFilter(queue="emails"))) == 2
    assert len(listed(kit, TaskFilter(name="app.send"))) == 2


def test_worker_filter_matches_the_current_worker(kit: StorageKit, make_task: TaskFactory) -> None:
    mine = make_task.add_running("w1")
    make_task.add_running("w2")
    make_task.add()

    assert listed(kit, TaskFilter(worker_id="w1")) == [mine.id]


def test_enqueued_bounds_are_half_open(kit: StorageKit, make_task: TaskFactory) -> None:
    start, end = minutes_ago(kit, 30), minutes_ago(kit, 10)
    at_start = make_task.add(enqueued_at=start)
    inside = make_task.add(enqueued_at=start + timedelta(minutes=1))
    make_task.add(enqueued_at=end)
    make_task.add(enqueued_at=start - timedelta(microseconds=1))

    bounded = TaskFilter(enqueued_after=start, enqueued_before=end)
    assert listed(kit, bounded) == [inside.id, at_start.id]


def test_search_finds_text_in_args_or_kwargs_ignoring_case(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    by_arg = make_task.add(args=["alice@example.com", 7])
    by_kwarg = make_task.add(kwargs={"user": "Bob Smith"})
    make_task.add(args=["carol"], kwargs={"user": "dave"})

    assert listed(kit, TaskFilter(search="ALICE@")) == [by_arg.id]
    assert listed(kit, TaskFilter(search="bob sm")) == [by_kwarg.id]
    assert listed(kit, TaskFilter(search="nobody")) == []


def test_filters_combine(kit: StorageKit, make_task: TaskFactory) -> None:
    wanted = make_task.add(queue="emails", args=["invoice"])
    make_task.add(queue="emails", args=["receipt"])
    make_task.add(queue="default", args=["invoice"])

    assert listed(kit, TaskFilter(queue="emails", search="invoice")) == [wanted.id]


def test_keyset_pages_yield_every_task_once_in_order(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    # Groups of five share an enqueued_at, so page boundaries fall inside ties.
    tasks = [make_task.build(enqueued_at=minutes_ago(kit, n // 5)) for n in range(25)]
    kit.tasks.add_many(tasks)
    expected = [t.id for t in sorted(tasks, key=lambda t: (t.enqueued_at, t.id), reverse=True)]

    seen: list[UUID] = []
    sizes: list[int] = []
    cursor: Cursor | None = None
    while True:
        page = kit.tasks.list(TaskFilter(), PageRequest(limit=10, after=cursor))
        seen += [task.id for task in page.items]
        sizes.append(len(page.items))
        if page.next_cursor is None:
            break
        # Through its token, as the API hands it to clients and back.
        cursor = Cursor.decode(page.next_cursor.encode())

    assert sizes == [10, 10, 5]
    assert seen == expected


def test_no_next_cursor_when_the_last_page_is_exactly_full(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    kit.tasks.add_many([make_task.build() for _ in range(10)])

    page = kit.tasks.list(TaskFilter(), PageRequest(limit=10))

    assert len(page.items) == 10
    assert page.next_cursor is None


def test_pages_respect_the_filter(kit: StorageKit, make_task: TaskFactory) -> None:
    wanted = [make_task.add(queue="emails", enqueued_at=minutes_ago(kit, n)) for n in range(3)]
    for n in range(3):
        make_task.add(enqueued_at=minutes_ago(kit, n))

    first = kit.tasks.list(TaskFilter(queue="emails"), PageRequest(limit=2))
    assert first.next_cursor is not None
    rest = kit.tasks.list(TaskFilter(queue="emails"), PageRequest(limit=2, after=first.next_cursor))

    assert [t.id for t in first.items + rest.items] == [t.id for t in wanted]
    assert rest.next_cursor is None


def _token(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not base64 at all!",
        _token("just text"),
        _token(["2026-01-01T00:00:00", "3f1c8a5e-0000-4000-8000-000000000000"]),
        _token(["2026-01-01T00:00:00+00:00", "not-a-uuid"]),
        _token(["2026-01-01T00:00:00+00:00", 5]),
        _token([1, 2, 3]),
    ],
    ids=["empty", "garbage", "string", "naive", "bad uuid", "numeric uuid", "three items"],
)
def test_a_bad_cursor_token_is_task_invalid(token: str) -> None:
    with pytest.raises(TaskInvalid) as caught:
        Cursor.decode(token)

    assert caught.value.field == "cursor"


def test_count_by_status_counts_every_status_per_queue(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    make_task.add()
    make_task.add(queue="emails")
    make_task.add(queue="emails", due=False)
    make_task.add_running("w1", queue="emails")

    everywhere = kit.tasks.count_by_status()
    emails = kit.tasks.count_by_status("emails")

    assert set(everywhere) == set(TaskStatus) == set(emails)
    assert everywhere[TaskStatus.READY] == 2
    assert emails == {
        **dict.fromkeys(TaskStatus, 0),
        TaskStatus.READY: 1,
        TaskStatus.SCHEDULED: 1,
        TaskStatus.RUNNING: 1,
    }
    assert sum(kit.tasks.count_by_status("nowhere").values()) == 0


def test_listed_tasks_are_whole(kit: StorageKit, make_task: TaskFactory) -> None:
    task: Task = make_task.add_running("w1", args=[1], kwargs={"k": "v"})

    assert kit.tasks.list(TaskFilter(), PageRequest()).items == [task]


def _failed(
    kit: StorageKit, make_task: TaskFactory, kind: str, failed_at: datetime, attempts: int = 1
) -> Task:
    """A stored task whose one attempt failed with `kind` at `failed_at`."""
    task = make_task.build(max_attempts=attempts)
    task.claim("w1", now=kit.now(), lease=timedelta(minutes=5))
    error = TaskError(
        attempt=1, exception_type=kind, message="m", traceback="", failed_at=failed_at
    )
    task.fail(error, attempt=1, now=kit.now(), policy=RetryPolicy(), rng=random.Random(1))
    return make_task.store(task)


def test_error_type_and_failed_after_filter_by_a_failed_attempt(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    recent = _failed(kit, make_task, "builtins.ValueError", minutes_ago(kit, 5))
    retrying = _failed(kit, make_task, "builtins.ValueError", minutes_ago(kit, 5), attempts=3)
    old = _failed(kit, make_task, "builtins.ValueError", minutes_ago(kit, 120))
    other = _failed(kit, make_task, "builtins.KeyError", minutes_ago(kit, 5))
    make_task.add()

    by_type = TaskFilter(error_type="builtins.ValueError")
    recent_only = TaskFilter(error_type="builtins.ValueError", failed_after=minutes_ago(kit, 60))

    assert set(listed(kit, by_type)) == {recent.id, retrying.id, old.id}
    assert set(listed(kit, recent_only)) == {recent.id, retrying.id}
    assert kit.tasks.count(recent_only) == 2
    assert set(listed(kit, TaskFilter(failed_after=minutes_ago(kit, 60)))) == {
        recent.id,
        retrying.id,
        other.id,
    }


@pytest.mark.parametrize("every", [3, 97])
def test_error_filter_pages_walk_every_match_in_order_common_or_rare(
    kit: StorageKit, make_task: TaskFactory, every: int
) -> None:
    # Enough rows that a page of two is looked for among the newest rows first (a common
    # error fills it there) and, for a rare one, in the error rows.
    matches = []
    for n in range(200):
        if n % every == 0:
            task = _failed(kit, make_task, "builtins.ValueError", minutes_ago(kit, 1))
            matches.append(task)
        else:
            make_task.add(args=[n])
    task_filter = TaskFilter(error_type="builtins.ValueError", failed_after=minutes_ago(kit, 60))
    expected = [
        task.id for task in sorted(matches, key=lambda t: (t.enqueued_at, t.id), reverse=True)
    ]

    assert _walk(kit, task_filter, oldest_first=False) == expected
    assert _walk(kit, task_filter, oldest_first=True) == expected[::-1]
    assert kit.tasks.count(task_filter) == len(expected)
    assert kit.tasks.count(replace(task_filter, statuses=frozenset({TaskStatus.FAILED}))) == len(
        expected
    )


def _walk(kit: StorageKit, task_filter: TaskFilter, *, oldest_first: bool) -> list[UUID]:
    seen: list[UUID] = []
    cursor: Cursor | None = None
    while True:
        page = kit.tasks.list(
            task_filter, PageRequest(limit=2, after=cursor, oldest_first=oldest_first)
        )
        seen += [task.id for task in page.items]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("term", [None, "order", "or"])
def test_oldest_first_pages_are_the_newest_first_list_reversed(
    kit: StorageKit, make_task: TaskFactory, term: str | None
) -> None:
    moment = minutes_ago(kit, 5)
    for n in range(3):
        make_task.add(args=[f"order-{n}"], enqueued_at=minutes_ago(kit, 10 - n))
    for n in range(3):
        make_task.add(args=[f"order-tie-{n}"], enqueued_at=moment)
    make_task.add(args=["other"])
    task_filter = TaskFilter(search=term)

    newest = _walk(kit, task_filter, oldest_first=False)

    assert _walk(kit, task_filter, oldest_first=True) == newest[::-1]
    assert len(newest) == (7 if term is None else 6)
