"""TaskService.submit_many: all or nothing, indexed errors, unique keys, size limit."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from scheduler_core.domain import DuplicateTask, Task, TaskInvalid, TaskStatus, UnknownTask
from scheduler_core.domain.ports import Clock
from scheduler_core.memory import InMemoryStorage, InMemoryTaskRepository, ManualClock
from scheduler_core.services import MAX_BATCH_SIZE, TaskService

from .conftest import LEASE, T0, request
from .test_submit import ClashingIdRepository, service_on, stored_total


def test_submit_many_stores_every_task_in_order_and_wakes_workers(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    tasks = scheduler.submit_many([request(args=[n]) for n in range(3)])

    assert [task.args for task in tasks] == [[0], [1], [2]]
    assert all(scheduler.status(task.id) == task for task in tasks)
    claimed = storage.queue.claim("w1", ["default"], 10, LEASE)
    assert {task.id for task in claimed} == {task.id for task in tasks}


def test_submit_many_of_nothing_stores_nothing(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    assert scheduler.submit_many([]) == []
    assert stored_total(storage) == 0


def test_one_invalid_request_names_its_index_and_field_and_stores_nothing(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    requests = [request(), request(), request(), request(priority=1000), request(queue="bad q")]

    with pytest.raises(TaskInvalid) as raised:
        scheduler.submit_many(requests)

    assert raised.value.field == "requests[3].priority"
    assert str(raised.value).startswith("requests[3].priority: ")
    assert stored_total(storage) == 0


def test_one_unregistered_name_names_its_index_and_stores_nothing(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    with pytest.raises(UnknownTask, match=r"requests\[1\]: task 'app\.nope' is not registered"):
        scheduler.submit_many([request(), request("app.nope")])

    assert stored_total(storage) == 0


def test_a_batch_over_the_maximum_is_refused(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    with pytest.raises(TaskInvalid, match=f"the limit is {MAX_BATCH_SIZE}") as raised:
        scheduler.submit_many([request()] * (MAX_BATCH_SIZE + 1))

    assert raised.value.field == "requests"
    assert stored_total(storage) == 0


def test_a_batch_of_the_maximum_is_accepted(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    assert len(scheduler.submit_many([request()] * MAX_BATCH_SIZE)) == MAX_BATCH_SIZE
    assert stored_total(storage) == MAX_BATCH_SIZE


def test_unique_keys_are_shared_within_the_batch_and_with_live_tasks(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    live = scheduler.submit(request(unique_key="live")).task

    tasks = scheduler.submit_many(
        [
            request(unique_key="a", args=[0]),
            request(unique_key="a", args=[1]),
            request(unique_key="live"),
            request(),
            request(unique_key="b"),
        ]
    )

    assert tasks[0].id == tasks[1].id
    assert tasks[1].args == [0]
    assert tasks[2].id == live.id
    assert len({task.id for task in tasks}) == 4
    assert stored_total(storage) == 4


def test_a_batch_of_only_live_unique_keys_stores_nothing_new(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    live = scheduler.submit(request(unique_key="k")).task

    assert [task.id for task in scheduler.submit_many([request(unique_key="k")] * 2)] == [
        live.id,
        live.id,
    ]
    assert stored_total(storage) == 1


class KeyTakenMeanwhileRepository(InMemoryTaskRepository):
    """Before the first batch write, another submitter stores a task holding key "k"."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self.rival: Task | None = None

    def add_many(self, tasks: Sequence[Task]) -> None:
        if self.rival is None:
            self.rival = Task.create("app.send_email", now=T0, unique_key="k")
            self.add(self.rival)
        super().add_many(tasks)


def test_a_unique_key_taken_during_the_batch_resolves_to_the_new_holder() -> None:
    clock = ManualClock(T0)
    repository = KeyTakenMeanwhileRepository(clock)
    service = service_on(repository, clock)

    tasks = service.submit_many([request(unique_key="k"), request(unique_key="other")])

    assert repository.rival is not None
    assert tasks[0].id == repository.rival.id
    assert tasks[1].status is TaskStatus.READY
    assert repository.get(tasks[1].id) == tasks[1]
    assert sum(repository.count_by_status().values()) == 2


@pytest.mark.parametrize("unique_key", [None, "free-key"])
def test_submit_many_lets_a_duplicate_id_through(unique_key: str | None) -> None:
    clock = ManualClock(T0)
    service = service_on(ClashingIdRepository(clock), clock)

    with pytest.raises(DuplicateTask):
        service.submit_many([request(unique_key=unique_key)])
