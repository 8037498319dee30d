"""Tasks the worker process tests run; workers import them via SCHEDULER_TASK_MODULES."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from pathlib import Path
from typing import Any

from django.dispatch import receiver
from django.tasks import TaskContext
from django.tasks.signals import task_finished

from scheduler_core import Discard, Snooze, SoftTimeLimitExceeded
from scheduler_core.task_backend.definition import task


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
def python_path() -> str | None:
    """The PYTHONPATH a task's own subprocesses would inherit."""
    return os.environ.get("PYTHONPATH")


@task()
def process_apps() -> dict[str, Any]:
    """What the process running this task set up: its apps, the admin's registry, psycopg."""
    import sys

    from django.apps import apps
    from django.contrib import admin

    return {
        "apps": sorted(config.name for config in apps.get_app_configs()),
        "admin_models": len(admin.site._registry),
        "psycopg": "psycopg" in sys.modules,
    }


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


@task()
def step(log: str, key: str, seconds: float = 0.0) -> str:
    """A workflow step: note its start and end around a short sleep."""
    _note(log, f"start {key}")
    time.sleep(seconds)
    _note(log, f"end {key}")
    return key


@task(takes_context=True)
def gather(context: TaskContext[Any, Any], log: str, key: str, parents: list[str]) -> list[Any]:
    """A fan-in step: read these parents' results through the context."""
    _note(log, f"start {key}")
    results = [context.upstream(parent) for parent in parents]  # type: ignore[attr-defined]
    _note(log, f"end {key}")
    return results


# -- the task authors' toolkit (docs/tasks.md) ---------------------------------------------


def _lines(log: str) -> list[str]:
    return Path(log).read_text().splitlines()


@task(max_attempts=1)
def snoozes_then_runs(log: str, times: int) -> int:
    """Snooze `times` times (noting each), then succeed: max_attempts=1 leaves no retry."""
    snoozed = sum(line.startswith("snoozed") for line in _lines(log))
    if snoozed < times:
        _note(log, f"snoozed {os.getpid()}")
        raise Snooze(0.1)
    _note(log, f"ran {os.getpid()}")
    return snoozed


@task(max_attempts=5)
def discards(reason: str) -> None:
    """Give up for good at once."""
    raise Discard(reason)


@task(max_attempts=3, no_retry_on=(ValueError,))
def permanent_error(log: str) -> None:
    """Raise an error its retry rules call permanent."""
    _note(log, "attempt")
    raise ValueError("this input can never work")


@task(
    max_attempts=3,
    retry_on=(OSError,),
    backoff={"base": 0.1, "factor": 1, "max": 0.1, "jitter": 0},
)
def flaky_io(log: str) -> int:
    """Fail with an OSError twice (retried after its own 0.1 s backoff), then succeed."""
    _note(log, "attempt")
    attempts = len(_lines(log))
    if attempts < 3:
        raise OSError("the network blinked")
    return attempts


@task(max_attempts=1, soft_timeout=0.5, timeout=10)
def cleans_up_at_soft_limit(log: str) -> str:
    """Work past its soft limit, catch SoftTimeLimitExceeded and note the clean-up.

    Short sleeps: in a thread slot the exception lands between Python instructions, so a
    single long sleep would only see it once the sleep ended (docs/tasks.md).
    """
    try:
        for _ in range(160):
            time.sleep(0.05)
    except SoftTimeLimitExceeded:
        _note(log, f"cleaned up {os.getpid()}")
        return "cleaned up"
    return "slept"


@task(max_attempts=1, soft_timeout=0.5, timeout=10)
async def async_cleans_up_at_soft_limit(log: str) -> str:
    """An async task: the soft limit cancels it at its await."""
    try:
        await asyncio.sleep(8)
    except asyncio.CancelledError:
        _note(log, "cancelled")
        raise
    return "slept"


@task(takes_context=True, max_attempts=1)
def reports_progress(context: TaskContext[Any, Any], log: str, done: int, total: int) -> str:
    """Report `done` of `total` (many calls, coalesced), then wait for "go" in the log."""
    for step_done in range(done + 1):
        context.progress(step_done, total, f"step {step_done} of {total}")  # type: ignore[attr-defined]
    deadline = time.monotonic() + 20
    while "go" not in _lines(log) and time.monotonic() < deadline:
        time.sleep(0.05)
    context.progress(total, total, "finished")  # type: ignore[attr-defined]
    return "went"


@task(takes_context=True, max_attempts=2)
def reports_its_result(context: TaskContext[Any, Any], log: str) -> str:
    """Note what context.task_result says about the task, then fail the first attempt."""
    result = context.task_result
    _note(
        log,
        f"attempt={context.attempt} priority={result.task.priority} "
        f"queue={result.task.queue_name} run_after={result.task.run_after is not None} "
        f"first={result.started_at.isoformat() if result.started_at else None} "
        f"last={result.last_attempted_at.isoformat() if result.last_attempted_at else None}",
    )
    if context.attempt == 1:
        raise RuntimeError("first attempt fails on purpose")
    return "ok"


@receiver(task_finished)
def note_finished(sender: object, task_result: Any, **kwargs: Any) -> None:
    """For tasks given a `signal_log` keyword: note each task_finished and its will_retry."""
    path = task_result.kwargs.get("signal_log")
    if path:
        _note(path, f"finished {task_result.status} will_retry={kwargs.get('will_retry')}")


@task(max_attempts=2)
def fails_twice(signal_log: str) -> None:
    """Fail every attempt; task_finished says which failure is final."""
    raise RuntimeError("failing on purpose")
