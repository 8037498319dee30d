"""TaskRepository.add_now and add_many: what every storage keeps of new tasks, or refuses.

The database adapters write these rows without the ORM (storage/task_insert.py: one
statement per task due at once, COPY or executemany for a batch), so the exact values,
the clashes, the all-or-nothing rule and the trigger-kept counts are checked here.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scheduler_core.domain import (
    DuplicateTask,
    InvalidTransition,
    RetryPolicy,
    Task,
    TaskError,
    TaskNotFound,
    TaskStatus,
)

from .factories import TASK_NAME, TaskFactory
from .kits import StorageKit

LEASE = timedelta(minutes=5)
NO_BACKOFF = RetryPolicy(base=timedelta(0), cap=timedelta(0), jitter=0)

# Values whose JSON text or storage type could bend on the way: non-ASCII text in values and
# keys, integers past 64 bits, deep nesting, floats that need every digit, empty containers.
AWKWARD_ARGS: list[Any] = [
    "ünïcødé ✓ 日本 😀",
    10**30,
    -(2**63) - 1,
    0.1,
    1.0000000000000002,
    [[], {}, [[[{"deep": [None, True, False]}]]]],
    "",
    'quote " backslash \\ tab \t newline \n',
]
AWKWARD_KWARGS: dict[str, Any] = {
    "clé": {"值": [1, 2, {"ключ": "значение"}]},
    "big": 2**100,
    "tiny": 5e-324,
    "empty": {},
}


def due_at_once() -> Task:
    """A task as submit builds one before the storage stamps it: due at a provisional now."""
    return Task.create(TASK_NAME, now=datetime.now(UTC), args=["x"])


def stored_total(kit: StorageKit) -> int:
    return sum(kit.tasks.count_by_status().values())


# -- add_now ---------------------------------------------------------------------------------


def test_add_now_stamps_the_task_with_the_storage_clock(kit: StorageKit) -> None:
    task = due_at_once()
    before = kit.now()

    kit.tasks.add_now(task)

    after = kit.now()
    assert before <= task.enqueued_at <= after
    assert task.run_after == task.enqueued_at
    assert task.status is TaskStatus.READY
    assert kit.tasks.get(task.id) == task


def test_add_now_refuses_a_taken_id_and_stores_nothing(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    stored = make_task.add()
    twin = due_at_once()
    twin.id = stored.id

    with pytest.raises(DuplicateTask):
        kit.tasks.add_now(twin)

    assert kit.tasks.get(stored.id) == stored
    assert stored_total(kit) == 1


def test_add_now_refuses_a_unique_key_a_live_task_holds(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    make_task.add(unique_key="nightly")
    clash = Task.create(TASK_NAME, now=datetime.now(UTC), unique_key="nightly")

    with pytest.raises(DuplicateTask):
        kit.tasks.add_now(clash)

    with pytest.raises(TaskNotFound):
        kit.tasks.get(clash.id)
    assert stored_total(kit) == 1


def test_add_now_takes_only_a_new_task_due_at_once(kit: StorageKit, make_task: TaskFactory) -> None:
    scheduled = make_task.build(due=False)

    with pytest.raises(InvalidTransition):
        kit.tasks.add_now(scheduled)

    assert stored_total(kit) == 0


def test_add_now_keeps_awkward_json_exactly(kit: StorageKit) -> None:
    task = Task.create(
        TASK_NAME, now=datetime.now(UTC), args=list(AWKWARD_ARGS), kwargs=dict(AWKWARD_KWARGS)
    )

    kit.tasks.add_now(task)

    assert_same_json(kit.tasks.get(task.id))


# -- add_many --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 3], ids=["one", "several"])
def test_add_many_keeps_awkward_json_exactly(
    kit: StorageKit, make_task: TaskFactory, size: int
) -> None:
    tasks = [
        make_task.build(args=list(AWKWARD_ARGS), kwargs=dict(AWKWARD_KWARGS)) for _ in range(size)
    ]

    kit.tasks.add_many(tasks)

    for task in tasks:
        stored = kit.tasks.get(task.id)
        assert stored == task
        assert_same_json(stored)


def test_add_many_refuses_a_unique_key_a_stored_live_task_holds(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    make_task.add(unique_key="report")
    fine = make_task.build()
    clash = make_task.build(unique_key="report")

    with pytest.raises(DuplicateTask):
        kit.tasks.add_many([fine, clash])

    with pytest.raises(TaskNotFound):
        kit.tasks.get(fine.id)
    assert stored_total(kit) == 1


def test_add_many_may_reuse_a_unique_key_whose_holder_finished(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    done = make_task.build(unique_key="report")
    done.cancel(now=kit.now())
    make_task.store(done)
    again = make_task.build(unique_key="report")

    kit.tasks.add_many([again, make_task.build()])

    assert kit.tasks.get(again.id) == again


def test_add_many_stores_each_task_s_errors_and_transitions(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    now = kit.now()
    failed = make_task.build(max_attempts=2)
    failed.claim("w1", now=now, lease=LEASE)
    failed.fail(_error(1, now), attempt=1, now=now, policy=NO_BACKOFF, rng=random.Random(1))
    running = make_task.build()
    running.claim("w2", now=now, lease=LEASE)
    plain = make_task.build()
    logged = {task.id: list(task.pending_transitions) for task in (failed, running, plain)}

    kit.tasks.add_many([failed, running, plain])

    for task in (failed, running, plain):
        assert task.pending_transitions == []
        assert kit.tasks.get(task.id) == task
        assert kit.tasks.transitions(task.id) == logged[task.id]
    assert kit.tasks.get(failed.id).errors == [_error(1, now)]


def test_add_many_counts_every_stored_task_and_none_of_a_refused_batch(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    kit.tasks.add_many(
        [make_task.build(), make_task.build(), make_task.build(due=False, queue="emails")]
    )
    stored = make_task.build()
    kit.tasks.add_many([stored])
    twin = make_task.build(id=stored.id)

    with pytest.raises(DuplicateTask):
        kit.tasks.add_many([make_task.build(queue="emails"), twin])

    counts = kit.tasks.count_by_status()
    assert counts[TaskStatus.READY] == 3
    assert counts[TaskStatus.SCHEDULED] == 1
    assert sum(counts.values()) == 4
    assert kit.tasks.count_by_status("emails")[TaskStatus.SCHEDULED] == 1
    assert sum(kit.tasks.count_by_status("emails").values()) == 1


def test_add_many_of_nothing_stores_nothing(kit: StorageKit) -> None:
    kit.tasks.add_many([])

    assert stored_total(kit) == 0


def assert_same_json(stored: Task) -> None:
    """The stored arguments equal the awkward ones, value for value and type for type."""
    assert stored.args == AWKWARD_ARGS
    assert stored.kwargs == AWKWARD_KWARGS
    assert [type(value) for value in stored.args] == [type(value) for value in AWKWARD_ARGS]
    assert type(stored.kwargs["big"]) is int
    assert type(stored.kwargs["tiny"]) is float


def _error(attempt: int, at: datetime) -> TaskError:
    return TaskError(
        attempt=attempt,
        exception_type="builtins.ValueError",
        message="boom ✗",
        traceback="Traceback (most recent call last): ...",
        failed_at=at,
        worker_id="w1",
    )


def test_find_live_by_unique_keys_returns_only_live_holders(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    live = make_task.add(unique_key="live")
    running = make_task.add_running(unique_key="running")
    done = make_task.build(unique_key="done")
    done.cancel(now=kit.now())
    make_task.store(done)

    found = kit.tasks.find_live_by_unique_keys(["live", "done", "missing", "running", "live"])

    assert found == {"live": live, "running": running}
    assert kit.tasks.find_live_by_unique_keys([]) == {}
