"""Workflow runs: steps that wait for other steps, checked as a whole before anything is stored."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from graphlib import CycleError, TopologicalSorter
from uuid import UUID, uuid4

from .errors import TaskInvalid
from .status import TaskStatus

STEP_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
MAX_WORKFLOW_NAME = 200
# One run is stored in one transaction; 10,000 steps take well under 2 s (docs/workflows.md).
MAX_STEPS = 20_000


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowEdge:
    """`child` waits for `parent`; with `ignore_failure` a failed parent counts as done."""

    parent_id: UUID
    child_id: UUID
    ignore_failure: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StepSpec:
    """One step as a caller declares it: a key, what it runs, and the keys it comes after."""

    key: str
    after: tuple[str, ...] = ()
    ignore_failure_of: tuple[str, ...] = ()


@dataclass(slots=True, kw_only=True)
class WorkflowRun:
    """A stored run of a workflow: its name and when it was enqueued."""

    name: str
    created_at: datetime
    id: UUID = field(default_factory=uuid4)


class RunStatus:
    """What a run's steps add up to: running while any step is unfinished."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ALL = (RUNNING, SUCCEEDED, FAILED, CANCELLED)


def run_status(statuses: Sequence[TaskStatus]) -> str:
    """The run's status from its steps' statuses (an empty run has succeeded)."""
    if any(not status.is_terminal for status in statuses):
        return RunStatus.RUNNING
    if TaskStatus.FAILED in statuses:
        return RunStatus.FAILED
    if TaskStatus.CANCELLED in statuses:
        return RunStatus.CANCELLED
    return RunStatus.SUCCEEDED


def check_steps(name: str, steps: Sequence[StepSpec]) -> list[str]:
    """The step keys in an order where parents come first; TaskInvalid naming the bad step."""
    if not name or len(name) > MAX_WORKFLOW_NAME:
        raise TaskInvalid("name", f"a workflow needs a name of 1..{MAX_WORKFLOW_NAME} characters")
    if not steps:
        raise TaskInvalid("steps", "a workflow needs at least one step")
    if len(steps) > MAX_STEPS:
        raise TaskInvalid("steps", f"{len(steps)} steps; a run holds at most {MAX_STEPS}")
    keys: set[str] = set()
    for step in steps:
        if not STEP_KEY_PATTERN.match(step.key):
            raise TaskInvalid(f"steps[{step.key!r}].key", "use 1-100 of A-Z a-z 0-9 _ . : -")
        if step.key in keys:
            raise TaskInvalid(f"steps[{step.key!r}].key", "another step has this key")
        keys.add(step.key)
    graph: dict[str, tuple[str, ...]] = {}
    for step in steps:
        for parent in step.after:
            if parent not in keys:
                raise TaskInvalid(f"steps[{step.key!r}].after", f"no step has key {parent!r}")
            if parent == step.key:
                raise TaskInvalid(f"steps[{step.key!r}].after", "a step cannot wait for itself")
        if len(set(step.after)) != len(step.after):
            raise TaskInvalid(f"steps[{step.key!r}].after", "a parent is named twice")
        for ignored in step.ignore_failure_of:
            if ignored not in step.after:
                raise TaskInvalid(
                    f"steps[{step.key!r}].ignore_failure_of", f"{ignored!r} is not in after"
                )
        graph[step.key] = step.after
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        cycle = " -> ".join(str(key) for key in error.args[1])
        raise TaskInvalid(f"steps[{error.args[1][0]!r}].after", f"cycle: {cycle}") from None
