"""Example tasks, JSON in and JSON out, that show each way a task can go.

`scheduler_core.task_backend.definition.task` is django.tasks' `@task` with the scheduler's options
(max_attempts, timeout, unique_key, soft_timeout, retry_on, no_retry_on, backoff) typed;
`django.tasks.task` takes them too at run time. docs/tasks.md is the task author's guide.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from django.tasks import TaskContext

from scheduler_core import SoftTimeLimitExceeded
from scheduler_core.task_backend.definition import task


@task
def add(a: float, b: float) -> float:
    """Return a + b at once."""
    return a + b


@task(timeout=60)
def sleep_for(seconds: float | None = None) -> float:
    """Sleep for `seconds` (2 to 5 when not given) and return how long it slept."""
    duration = random.uniform(2, 5) if seconds is None else seconds
    time.sleep(duration)
    return duration


@task(max_attempts=5)
def flaky(failure_rate: float = 0.5) -> str:
    """Fail with probability `failure_rate`, so that some attempts are retried."""
    if random.random() < failure_rate:
        raise RuntimeError(f"flaky failed, as it does {failure_rate:.0%} of the time")
    return "worked this time"


@task(max_attempts=3)
def always_fails(message: str = "this task always fails") -> None:
    """Raise every time: three attempts, three errors, then failed."""
    raise ValueError(message)


@task(takes_context=True)
def report(context: TaskContext[Any, Any], label: str = "report") -> dict[str, Any]:
    """Return which attempt this is, as the worker's TaskContext tells it."""
    return {"label": label, "attempt": context.attempt, "result_id": context.task_result.id}


@task(priority=10)
async def greet(name: str) -> str:
    """Wait a moment without blocking the worker, then greet `name`."""
    await asyncio.sleep(0.2)
    return f"Hello, {name}!"


@task()
def noop() -> None:
    """Do nothing: what the scheduler itself costs per task."""


@task()
def consume(payload: Any) -> None:
    """Take a payload and do nothing with it: what a task's arguments cost the scheduler."""


@task(
    takes_context=True,
    max_attempts=4,
    soft_timeout=50,
    timeout=60,
    retry_on=(OSError,),
    no_retry_on=(ValueError,),
    backoff={"base": 5, "factor": 3, "max": 300, "jitter": 0.1},
)
def import_rows(
    context: TaskContext[Any, Any], rows: int = 20, seconds_per_row: float = 0.25
) -> int:
    """Import `rows` rows, reporting progress as it goes; stops cleanly at its soft limit."""
    imported = 0
    try:
        for imported in range(1, rows + 1):
            time.sleep(seconds_per_row)
            context.progress(imported, rows, f"imported row {imported} of {rows}")  # type: ignore[attr-defined]
    except SoftTimeLimitExceeded:
        context.progress(imported, rows, "stopped at the soft time limit")  # type: ignore[attr-defined]
    return imported
