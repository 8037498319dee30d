"""Example tasks, JSON in and JSON out, that show each way a task can go.

`scheduler_core.task_definition.task` is django.tasks' `@task` with the scheduler's options
(max_attempts, timeout, unique_key) typed; `django.tasks.task` takes them too at run time.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from django.tasks import TaskContext

from scheduler_core.task_definition import task


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
