"""Tasks the worker process tests run; workers import them via SCHEDULER_TASK_MODULES."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

from django.tasks import TaskContext

from scheduler_core.task_definition import task


def _note(path: str, line: str) -> None:
    # O_APPEND writes of one short line are atomic, so processes can share the file.
    with Path(path).open("a") as log:
        log.write(line + "\n")


@task()
def record(log: str, key: str) -> str:
    """Append `key` to the log file: a side effect outside the scheduler's bookkeeping."""
    _note(log, f"{key} {os.getpid()}")
    return key


@task(max_attempts=1)
def sleep_for(seconds: float, log: str = "") -> float:
    """Sleep, noting start and end in the log when one is given."""
    if log:
        _note(log, f"start {os.getpid()}")
    time.sleep(seconds)
    if log:
        _note(log, f"end {os.getpid()}")
    return seconds


@task(max_attempts=2)
def crash(code: int) -> None:
    """Kill the slot process without any cleanup, as a segfault or os._exit would."""
    os._exit(code)


@task(max_attempts=3)
def always_fails(log: str) -> None:
    """Fail every attempt, noting each one."""
    _note(log, f"attempt {os.getpid()}")
    raise RuntimeError("this task always fails")


@task(max_attempts=1, timeout=1)
def hangs(seconds: float) -> None:
    """Run past its one-second timeout."""
    time.sleep(seconds)


@task()
def noop() -> None:
    """Do nothing: measures the scheduler's own overhead."""


@task(takes_context=True)
def which_attempt(context: TaskContext[Any, Any]) -> int:
    """Return the attempt number the task context reports."""
    return context.attempt


@task()
async def async_double(value: int) -> int:
    """An async task: the worker runs the coroutine to completion."""
    return value * 2


@task()
def returns_a_set() -> object:
    """Return something JSON cannot hold."""
    return {1, 2}


@task(max_attempts=3)
def traced(log: str, seconds: float, key: str) -> str:
    """Run for `seconds`, noting this execution's start, a tick every 0.1 s and its end.

    Each line names the task (`key`), the execution (pid and a random nonce) and the wall
    clock, so that a test can tell whether two executions of one task were alive at once.
    """
    run = f"{key} {os.getpid()}-{uuid.uuid4().hex[:8]}"
    _note(log, f"start {run} {time.time():.3f}")
    finish = time.monotonic() + seconds
    while time.monotonic() < finish:
        time.sleep(min(0.1, max(0.0, finish - time.monotonic())))
        _note(log, f"tick {run} {time.time():.3f}")
    _note(log, f"end {run} {time.time():.3f}")
    return key


@task()
def returns_a_huge_int(digits: int) -> int:
    """Return an int with more digits than Python will write as JSON text."""
    value: int = 10**digits - 1
    return value
