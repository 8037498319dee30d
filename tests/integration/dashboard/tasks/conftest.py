"""Tasks in given states, made through the services the views call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskError
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

LEASE = timedelta(minutes=5)
XSS = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'

Submit = Callable[..., Task]
Make = Callable[..., Task]


@pytest.fixture
def submit(services: Services) -> Submit:
    """Submit a demo task (demo.tasks.add unless `name` says otherwise)."""

    def make(name: str = "demo.tasks.add", **fields: Any) -> Task:
        fields.setdefault("args", [1, 2] if name == "demo.tasks.add" else [])
        return services.tasks.submit(SubmitRequest(name=name, **fields)).task

    return make


def claim(task: Task, worker_id: str = "w1") -> Task:
    """Have `worker_id` claim the (ready) task from its queue."""
    claimed = DjangoQueue(DjangoTaskRepository()).claim(worker_id, [task.queue], 50, LEASE)
    [mine] = [t for t in claimed if t.id == task.id]
    return mine


@pytest.fixture
def running(submit: Submit) -> Make:
    """A task that a worker claimed and runs now."""

    def make(worker_id: str = "w1", **fields: Any) -> Task:
        fields.setdefault("queue", "running")
        return claim(submit(**fields), worker_id)

    return make


@pytest.fixture
def failed(services: Services, submit: Submit) -> Make:
    """A task that ran once and failed for good, with the error message and traceback given."""

    def make(
        message: str = "boom",
        traceback: str = "Traceback: boom",
        worker_id: str = "w1",
        **fields: Any,
    ) -> Task:
        fields.setdefault("queue", "doomed")
        task = claim(submit(max_attempts=1, **fields), worker_id)
        error = TaskError(
            attempt=task.attempt,
            exception_type="builtins.ValueError",
            message=message,
            traceback=traceback,
            failed_at=services.clock.now(),
            worker_id=worker_id,
        )
        return services.workers.fail(task, error)

    return make
