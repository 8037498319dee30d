"""Turning submit requests into validated tasks, one at a time or as a batch.

The one place a submit is judged: the task must be registered, a typed call must fit its
signature, and the domain's Task.create applies every rule a stored task follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..domain import Task, TaskInvalid, UnknownTask
from ..domain.ports import SubmitRequest, TaskCatalog

# One batch is stored in one write; larger ones belong in several calls so that no single
# transaction holds locks (or memory) for long.
MAX_BATCH_SIZE = 1000


def check_registered_call(
    catalog: TaskCatalog, name: str, args: list[Any], kwargs: dict[str, Any]
) -> None:
    """UnknownTask unless `name` is registered; TaskInvalid unless the call fits it."""
    require_registered(catalog, name)
    catalog.check_call(name, args, kwargs)


def require_registered(catalog: TaskCatalog, name: str) -> None:
    """UnknownTask unless task `name` is registered."""
    if not catalog.is_registered(name):
        raise UnknownTask(f"task {name!r} is not registered")


def build_task(catalog: TaskCatalog, request: SubmitRequest, *, now: datetime) -> Task:
    """A validated task for `request`; UnknownTask if its name is not registered."""
    unique_key = request.unique_key
    if not request.from_input:
        require_registered(catalog, request.name)
    else:
        # The call first: a call that does not fit is the mistake worth hearing, before what
        # the key function (which takes the same arguments) would make of it.
        check_registered_call(catalog, request.name, request.args, request.kwargs)
        if unique_key is None:
            unique_key = catalog.unique_key_for(request.name, request.args, request.kwargs)
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
        unique_key=unique_key,
        id=request.id,
        tags=request.tags,
        result_ttl=request.result_ttl,
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
