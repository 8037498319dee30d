"""What the submit form shows about a registered task: signature, docstring and defaults."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from scheduler_core.task_backend.policy import retry_summary
from scheduler_core.task_backend.registry import registry
from scheduler_core.web.submit_requests import TaskDefaults, task_defaults


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskInfo:
    """A registered task as the form describes it."""

    name: str
    # "add(a: float, b: float) -> float", annotations as written in the source.
    signature: str
    doc: str
    defaults: TaskDefaults
    # The effective retry policy and time limits, one line each (task_policy.retry_summary).
    retry_policy: list[str]


class _Written:
    """An annotation shown as its source text (`from __future__ import annotations` keeps
    annotations as strings, which inspect would otherwise print quoted)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def task_names() -> list[str]:
    """Every task that may be submitted, sorted."""
    registry.autodiscover()
    return registry.names()


def task_info(name: str) -> TaskInfo:
    """The description of registered task `name`; UnknownTask if there is none."""
    registry.autodiscover()
    task = registry.get(name)
    signature = registry.parameters(name)
    shown = signature.replace(
        parameters=[
            p.replace(annotation=_written(p.annotation)) for p in signature.parameters.values()
        ],
        return_annotation=_written(signature.return_annotation),
    )
    return TaskInfo(
        name=name,
        signature=f"{task.func.__name__}{shown}",
        doc=inspect.getdoc(task.func) or "",
        defaults=task_defaults(name),
        retry_policy=retry_summary(task),
    )


def _written(annotation: object) -> object:
    if isinstance(annotation, str):
        return _Written(annotation)
    return annotation
