"""The chaos tasks: each logs its execution's start, ticks and end (chaos/execlog.py).

Workers import this module through SCHEDULER["TASK_MODULES"] (see chaos/settings.py). The
options given here are defaults; the runner submits each kind with the attempts
chaos/kinds.py gives it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.tasks import TaskContext

from scheduler_core.task_backend.definition import task

from .execlog import recorded

Context = TaskContext[Any, Any]


@contextmanager
def execution(context: Context) -> Iterator[None]:
    """Log the start, tick while the body runs, log the end (also when the body raises).

    A killed process logs no end; its last tick tells the checker when it was last alive.
    """
    task_id = uuid.UUID(str(context.task_result.id)).hex
    with recorded(task_id, context.attempt):
        yield


def _run(context: Context, body: Callable[[], object]) -> object:
    with execution(context):
        return body()


@task(takes_context=True, max_attempts=25)
def quick(context: Context) -> str:
    """Return at once."""
    _run(context, lambda: None)
    return "ok"


@task(takes_context=True, max_attempts=25)
def slow(context: Context, seconds: float) -> float:
    """Sleep for `seconds`: long enough to be running when a worker is killed."""
    _run(context, lambda: time.sleep(seconds))
    return seconds


@task(takes_context=True, max_attempts=25)
def long(context: Context, seconds: float, not_before: float) -> float:
    """Sleep 5 to 30 s, due at `not_before`: a retry can start while this still runs."""
    _run(context, lambda: time.sleep(seconds))
    return seconds


@task(takes_context=True, max_attempts=25)
def flaky(context: Context, failures: int) -> int:
    """Raise on the first `failures` attempts, then succeed."""

    def body() -> None:
        if context.attempt <= failures:
            raise RuntimeError(f"flaky: attempt {context.attempt} of {failures} failing ones")

    _run(context, body)
    return context.attempt


@task(takes_context=True, max_attempts=3)
def always_fails(context: Context) -> None:
    """Raise on every attempt."""

    def body() -> None:
        raise RuntimeError("always_fails fails, as designed")

    _run(context, body)


@task(takes_context=True, max_attempts=5)
def bad_result(context: Context) -> object:
    """Return a set, which JSON cannot hold: the worker fails the task without retrying."""
    _run(context, lambda: None)
    return {1, 2}


@task(takes_context=True, max_attempts=25)
def delayed(context: Context, not_before: float) -> float:
    """Submitted to run after `not_before` (epoch seconds); the checker holds it to that."""
    _run(context, lambda: None)
    return not_before


@task(takes_context=True, max_attempts=25)
def cancellable(context: Context, seconds: float) -> float:
    """Sleep for `seconds`; the runner cancels some of these while they wait or run."""
    _run(context, lambda: time.sleep(seconds))
    return seconds


@task(takes_context=True, max_attempts=25)
def tick(context: Context) -> str:
    """What the chaos schedule submits every few seconds."""
    _run(context, lambda: None)
    return "tick"
