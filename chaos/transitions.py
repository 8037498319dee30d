"""The legal transitions, found by driving the domain's Task through every method it has.

Rather than copy the table from docs/state-machine.md (and drift from it), every method is
tried on a task in every state it can reach; whatever the domain allows is legal, and a
stored transition outside that set is a violation.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache

from scheduler_core.domain import (
    InvalidTransition,
    RetryPolicy,
    StaleTask,
    Task,
    TaskError,
    TaskInvalid,
    TaskStatus,
)

Edge = tuple[str, str]
_START = datetime(2026, 1, 1, tzinfo=UTC)
_LATER = _START + timedelta(days=30)
# Claims come after any backoff a failure at _LATER sets, and rescues after any lease.
_FAR = _START + timedelta(days=365)
_POLICY = RetryPolicy(base=timedelta(seconds=1), factor=2, cap=timedelta(hours=1), jitter=0)


def _error(task: Task) -> TaskError:
    return TaskError(
        attempt=task.attempt,
        exception_type="RuntimeError",
        message="m",
        traceback="",
        failed_at=_LATER,
        worker_id="w",
    )


def _moves(task: Task) -> list[Callable[[Task], None]]:
    rng = random.Random(0)
    lease = timedelta(seconds=1)
    return [
        lambda t: t.claim("w", now=_FAR, lease=lease),
        lambda t: t.mark_started(attempt=t.attempt, now=_FAR),
        lambda t: t.succeed("r", attempt=t.attempt, now=_LATER),
        lambda t: t.fail(_error(t), attempt=t.attempt, now=_LATER, policy=_POLICY, rng=rng),
        lambda t: t.fail(
            _error(t), attempt=t.attempt, now=_LATER, policy=_POLICY, rng=rng, retryable=False
        ),
        lambda t: t.rescue(now=_FAR + timedelta(days=1), policy=_POLICY, rng=rng),
        lambda t: t.promote(now=_LATER),
        lambda t: t.cancel(now=_LATER),
        lambda t: t.cancel(now=_LATER, attempt=t.attempt),
        lambda t: t.request_cancel(now=_LATER),
        lambda t: t.run_now(now=_LATER),
        lambda t: t.retry_now(now=_LATER),
    ]


def _variants(task: Task) -> list[Task]:
    """The task as it is, with one attempt left, and with a cancel request pending."""
    last = copy.deepcopy(task)
    last.max_attempts = max(last.attempt, 1)
    requested = copy.deepcopy(task)
    requested.cancel_requested = task.status is TaskStatus.RUNNING
    return [task, last, requested]


@cache
def legal_transitions() -> frozenset[Edge]:
    """Every (from, to) pair some method of the domain's Task can record."""
    seeds = [
        Task.create("t", now=_START, max_attempts=3),
        Task.create("t", now=_START, run_after=_START + timedelta(days=1), max_attempts=3),
    ]
    edges: set[Edge] = set()
    seen: set[tuple[str, int, int, bool]] = set()
    frontier = seeds
    while frontier:
        found: list[Task] = []
        for task in frontier:
            for variant in _variants(task):
                key = (
                    variant.status.value,
                    variant.attempt,
                    variant.max_attempts,
                    variant.cancel_requested,
                )
                if key in seen or variant.attempt > 4:
                    continue
                seen.add(key)
                for move in _moves(variant):
                    moved = copy.deepcopy(variant)
                    moved.pending_transitions.clear()
                    try:
                        move(moved)
                    except (InvalidTransition, StaleTask, TaskInvalid):
                        continue
                    edges.update(
                        (t.from_status.value, t.to_status.value) for t in moved.pending_transitions
                    )
                    found.append(moved)
        frontier = found
    return frozenset(edges)
