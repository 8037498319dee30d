"""Turning submit requests into validated tasks, one at a time or as a batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..domain import Task, TaskInvalid, UnknownTask
from ..domain.ports import SubmitRequest, TaskCatalog

# One batch is stored in one write; larger ones belong in several calls so that no single
# transaction holds locks (or memory) for long.
MAX_BATCH_SIZE = 1000


def build_task(catalog: TaskCatalog, request: SubmitRequest, *, now: datetime) -> Task:
    """A validated task for `request`; UnknownTask if its name is not registered."""
    if not catalog.is_registered(request.name):
        raise UnknownTask(f"task {request.name!r} is not registered")
    return Task.create(
        request.name,
        now=now,
        args=request.args,
        kwargs=request.kwargs,
        queue=request.queue,
        priority=request.priority,
        run_after=request.run_after,
        max_attempts=request.max_attempts,
        timeout=request.timeout,
        unique_key=request.unique_key,
        id=request.id,
    )


def build_batch(
    catalog: TaskCatalog, requests: Sequence[SubmitRequest], *, now: datetime
) -> list[Task]:
    """Validated tasks for every request; the first bad one raises, its index in the message."""
    if len(requests) > MAX_BATCH_SIZE:
        raise TaskInvalid(
            "requests", f"{len(requests)} tasks in one batch; the limit is {MAX_BATCH_SIZE}"
        )
    tasks = []
    for index, request in enumerate(requests):
        try:
            tasks.append(build_task(catalog, request, now=now))
        except TaskInvalid as error:
            raise TaskInvalid(f"requests[{index}].{error.field}", error.message) from error
        except UnknownTask as error:
            raise UnknownTask(f"requests[{index}]: {error}") from error
    return tasks
