"""TaskService.submit: validation, storage, wake-up and unique keys."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from scheduler_core.domain import (
    DuplicateTask,
    PageRequest,
    Task,
    TaskFilter,
    TaskInvalid,
    TaskNotFound,
    TaskStatus,
    UnknownTask,
)
from scheduler_core.domain.ports import Clock
from scheduler_core.memory import (
    InMemoryQueue,
    InMemoryStorage,
    InMemoryTaskCatalog,
    InMemoryTaskRepository,
    ManualClock,
)
from scheduler_core.services import TaskService

from .conftest import LEASE, T0, TASK_NAMES, request


def stored_total(storage: InMemoryStorage) -> int:
    return sum(storage.tasks.count_by_status().values())


def service_on(repository: InMemoryTaskRepository, clock: Clock) -> TaskService:
    return TaskService(
        tasks=repository,
        queue=InMemoryQueue(repository, clock),
        catalog=InMemoryTaskCatalog(TASK_NAMES),
        clock=clock,
    )


def test_submit_stores_a_ready_task_a_worker_can_claim(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    task = scheduler.submit(request(args=[1, "a"], kwargs={"to": "x@example.com"}, priority=5)).task

    assert task.status is TaskStatus.READY
    assert task.enqueued_at == T0
    assert scheduler.status(task.id) == task
    [claimed] = storage.queue.claim("w1", ["default"], 10, LEASE)
    assert claimed.id == task.id
    assert (claimed.args, claimed.kwargs, claimed.priority) == (
        [1, "a"],
        {"to": "x@example.com"},
        5,
    )


def test_submit_with_a_future_run_after_is_scheduled_until_due(
    scheduler: TaskService, storage: InMemoryStorage, clock: ManualClock
) -> None:
    task = scheduler.submit(request(run_after=T0 + timedelta(minutes=5))).task

    assert task.status is TaskStatus.SCHEDULED
    assert storage.queue.claim("w1", ["default"], 10, LEASE) == []
    clock.advance(timedelta(minutes=5))
    assert [t.id for t in storage.queue.claim("w1", ["default"], 10, LEASE)] == [task.id]


def test_submit_of_an_unregistered_name_raises_unknown_task(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    with pytest.raises(UnknownTask, match=r"'app\.not_there' is not registered"):
        scheduler.submit(request("app.not_there"))

    assert stored_total(storage) == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"priority": 101}, "priority"),
        ({"queue": "no spaces"}, "queue"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"args": [object()]}, "args[0]"),
        ({"timeout": -1.0}, "timeout"),
        ({"unique_key": ""}, "unique_key"),
    ],
)
def test_submit_of_an_invalid_task_names_the_field_and_stores_nothing(
    scheduler: TaskService, storage: InMemoryStorage, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(TaskInvalid) as raised:
        scheduler.submit(request(**fields))

    assert raised.value.field == field
    assert stored_total(storage) == 0
    assert storage.queue.length() == 0


def test_submit_with_a_live_unique_key_returns_the_live_task(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    first = scheduler.submit(request(unique_key="invoice-7")).task

    again = scheduler.submit(request(args=["other"], unique_key="invoice-7")).task

    assert again.id == first.id
    assert again.args == []
    assert stored_total(storage) == 1


def test_submit_says_whether_it_created_the_task_or_found_the_holder(
    scheduler: TaskService,
) -> None:
    first = scheduler.submit(request(unique_key="invoice-7"))

    again = scheduler.submit(request(unique_key="invoice-7"))

    assert first.created is True
    assert again.created is False
    assert again.task.id == first.task.id


def test_submit_after_the_unique_key_holder_finished_creates_a_new_task(
    scheduler: TaskService, storage: InMemoryStorage
) -> None:
    first = scheduler.submit(request(unique_key="invoice-7")).task
    scheduler.cancel(first.id)

    second = scheduler.submit(request(unique_key="invoice-7")).task

    assert second.id != first.id
    assert second.status is TaskStatus.READY
    assert stored_total(storage) == 2


class LookTogetherRepository(InMemoryTaskRepository):
    """Holds the first `parties` unique-key look-ups at a barrier so all miss, then all add."""

    def __init__(self, clock: Clock, parties: int) -> None:
        super().__init__(clock)
        self.barrier = threading.Barrier(parties)
        self.lock = threading.Lock()
        self.to_hold = parties
        self.duplicates = 0

    def find_live_by_unique_key(self, unique_key: str) -> Task | None:
        found = super().find_live_by_unique_key(unique_key)
        with self.lock:
            hold = self.to_hold > 0
            self.to_hold -= 1
        if hold:
            self.barrier.wait(timeout=10)
        return found

    def add(self, task: Task) -> None:
        try:
            super().add(task)
        except DuplicateTask:
            with self.lock:
                self.duplicates += 1
            raise


def test_concurrent_submits_of_one_unique_key_leave_exactly_one_live_task() -> None:
    clock = ManualClock(T0)
    repository = LookTogetherRepository(clock, parties=2)
    service = service_on(repository, clock)
    results: list[Task] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            results.append(service.submit(request(unique_key="nightly-report")).task)
        except BaseException as error:  # pragma: no cover - reported by the assert below
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert errors == []
    # Both looked before either stored, so one add lost the race and fell back to the winner.
    assert repository.duplicates == 1
    assert len({task.id for task in results}) == 1
    assert sum(repository.count_by_status().values()) == 1


class ClashingIdRepository(InMemoryTaskRepository):
    """Refuses every new task as if its id were taken."""

    def add(self, task: Task) -> None:
        raise DuplicateTask(f"task {task.id} already exists")

    def add_many(self, tasks: Sequence[Task]) -> None:
        raise DuplicateTask("a task id is already taken")


@pytest.mark.parametrize("unique_key", [None, "free-key"])
def test_submit_lets_a_duplicate_id_through(unique_key: str | None) -> None:
    clock = ManualClock(T0)
    service = service_on(ClashingIdRepository(clock), clock)

    with pytest.raises(DuplicateTask, match="already exists"):
        service.submit(request(unique_key=unique_key))


def test_status_of_an_unknown_task_raises_task_not_found(scheduler: TaskService) -> None:
    with pytest.raises(TaskNotFound):
        scheduler.status(Task.create("app.send_email", now=T0).id)


def test_list_and_counts_read_the_repository(scheduler: TaskService) -> None:
    email = scheduler.submit(request()).task
    scheduler.submit(request("app.resize_image", queue="images"))
    cancelled = scheduler.submit(request()).task
    scheduler.cancel(cancelled.id)

    page = scheduler.list(TaskFilter(statuses=frozenset({TaskStatus.READY})), PageRequest())

    assert [task.id for task in page.items if task.name == "app.send_email"] == [email.id]
    assert len(page.items) == 2
    assert scheduler.counts()[TaskStatus.READY] == 2
    assert scheduler.counts()[TaskStatus.CANCELLED] == 1
    assert scheduler.counts("images")[TaskStatus.READY] == 1


class ClaimFirstQueue(InMemoryQueue):
    """A worker claims each task before the submitter's wake-up call arrives."""

    def enqueue(self, task: Task) -> None:
        self.claim("w1", [task.queue], 10, LEASE)
        super().enqueue(task)


def test_a_task_claimed_before_the_wake_up_is_still_submitted() -> None:
    clock = ManualClock(T0)
    repository = InMemoryTaskRepository(clock)
    service = TaskService(
        tasks=repository,
        queue=ClaimFirstQueue(repository, clock),
        catalog=InMemoryTaskCatalog(TASK_NAMES),
        clock=clock,
    )

    task = service.submit(request()).task

    assert task.status is TaskStatus.READY
    assert repository.get(task.id).status is TaskStatus.RUNNING
