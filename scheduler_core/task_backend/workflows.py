"""Workflows for application code: steps that wait for other steps, enqueued in one write.

    from scheduler_core.task_backend.workflows import Workflow

    wf = Workflow("nightly-report")
    wf.add("fetch", fetch_data, args=[day])
    for i in range(10):
        wf.add(f"part-{i}", crunch, args=[i], after=["fetch"])
    wf.add("report", build_report, after=[f"part-{i}" for i in range(10)])
    run = wf.enqueue()

`chain`, `group` and `chord` build common shapes on top of `add`. See docs/workflows.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.tasks import Task as DjangoTask

from scheduler_core.bootstrap import get_services
from scheduler_core.domain import TaskInvalid
from scheduler_core.domain.defaults import DEFAULT_QUEUE
from scheduler_core.services import RunView, StepRequest


@dataclass(frozen=True, slots=True)
class Call:
    """A task with the arguments of one call: what chain/group/chord steps run."""

    task: DjangoTask[..., Any] | str
    args: Sequence[Any] = ()
    kwargs: dict[str, Any] | None = None


def call(task: DjangoTask[..., Any] | str, *args: Any, **kwargs: Any) -> Call:
    """`task` called with these arguments, as a step of chain, group or chord."""
    return Call(task, args, kwargs or None)


@dataclass
class Workflow:
    """A graph of steps under construction; nothing is stored before enqueue()."""

    name: str
    steps: list[StepRequest] = field(default_factory=list)

    def add(
        self,
        key: str,
        task: DjangoTask[..., Any] | str,
        args: Sequence[Any] = (),
        kwargs: dict[str, Any] | None = None,
        after: Iterable[str] = (),
        queue: str | None = None,
        priority: int | None = None,
        ignore_failure_of: Iterable[str] = (),
    ) -> Workflow:
        """Add a step running `task` (a registered @task or its name) once `after` succeeded."""
        name, default_queue, default_priority = _task_fields(task)
        self.steps.append(
            StepRequest(
                key=key,
                task=name,
                args=list(args),
                kwargs=dict(kwargs or {}),
                after=tuple(after),
                queue=default_queue if queue is None else queue,
                priority=default_priority if priority is None else priority,
                ignore_failure_of=tuple(ignore_failure_of),
            )
        )
        return self

    def chain(self, *calls: Call, prefix: str = "step", after: Iterable[str] = ()) -> list[str]:
        """Add calls that run one after another; their keys (prefix-1, prefix-2, ...)."""
        keys: list[str] = []
        previous = list(after)
        for index, step in enumerate(calls, start=1):
            key = f"{prefix}-{index}"
            self.add(key, step.task, step.args, step.kwargs, after=previous)
            keys.append(key)
            previous = [key]
        return keys

    def group(self, *calls: Call, prefix: str = "part", after: Iterable[str] = ()) -> list[str]:
        """Add calls that run side by side; their keys (prefix-1, prefix-2, ...)."""
        waits = list(after)
        keys = [f"{prefix}-{index}" for index in range(1, len(calls) + 1)]
        for key, step in zip(keys, calls, strict=True):
            self.add(key, step.task, step.args, step.kwargs, after=waits)
        return keys

    def chord(
        self, calls: Sequence[Call], then: Call, *, prefix: str = "part", key: str = "then"
    ) -> str:
        """Add a group and one step after all of it (Celery's chord); the last step's key."""
        parts = self.group(*calls, prefix=prefix)
        self.add(key, then.task, then.args, then.kwargs, after=parts)
        return key

    def enqueue(self) -> RunView:
        """Store the run in one write (inside the caller's transaction.atomic, if any)."""
        return get_services().workflows.enqueue(self.name, self.steps)


def chain(name: str, *calls: Call) -> Workflow:
    """A workflow of calls that run one after another."""
    workflow = Workflow(name)
    workflow.chain(*calls)
    return workflow


def group(name: str, *calls: Call) -> Workflow:
    """A workflow of calls that run side by side."""
    workflow = Workflow(name)
    workflow.group(*calls)
    return workflow


def chord(name: str, calls: Sequence[Call], then: Call) -> Workflow:
    """A workflow of calls side by side, then one step once all of them succeeded."""
    workflow = Workflow(name)
    workflow.chord(calls, then)
    return workflow


def get_run(run_id: UUID) -> RunView:
    """A stored run with its steps and status; WorkflowNotFound if there is none."""
    return get_services().workflows.get(run_id)


def _task_fields(task: DjangoTask[..., Any] | str) -> tuple[str, str, int]:
    if isinstance(task, str):
        return task, DEFAULT_QUEUE, 0
    if not isinstance(task, DjangoTask):
        raise TaskInvalid("task", f"{task!r} is not a @task function")
    return task.module_path, task.queue_name, task.priority
