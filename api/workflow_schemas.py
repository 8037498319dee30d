"""Request and response bodies of /workflows."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field, StrictInt

from scheduler_core.domain import TaskStatus
from scheduler_core.domain.workflow import MAX_STEPS

from .schemas import NO_NUL


class StepIn(Schema):
    """One step: a registered task, its call, and the keys of the steps it waits for."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(max_length=100, pattern=NO_NUL)
    task: str = Field(max_length=200, description="a name from GET /catalog")
    args: list[Any] = Field(default_factory=list)
    kwargs: dict[str, Any] = Field(default_factory=dict)
    after: list[str] = Field(default_factory=list, description="keys of steps to wait for")
    queue: str | None = Field(default=None, max_length=100)
    priority: StrictInt | None = Field(default=None, ge=-100, le=100)
    max_attempts: StrictInt | None = Field(default=None, ge=1, le=1000)
    ignore_failure_of: list[str] = Field(
        default_factory=list, description="keys in `after` whose failure counts as done"
    )


class WorkflowIn(Schema):
    """A workflow run to enqueue: stored all together, or refused naming the bad step."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    steps: list[StepIn] = Field(min_length=1, max_length=MAX_STEPS)


class StepOut(Schema):
    """A step of a run: its task and where it is."""

    key: str
    task_id: UUID
    task: str
    status: TaskStatus
    after: list[str]
    parents_left: int
    upstream_failed: str | None
    attempt: int
    finished_at: datetime | None


class WorkflowOut(Schema):
    """A run and its steps, parents first."""

    id: UUID
    name: str
    status: str = Field(description="running, succeeded, failed or cancelled")
    created_at: datetime
    steps: list[StepOut]


class WorkflowSummaryOut(Schema):
    """A run and how many of its steps are in each status."""

    id: UUID
    name: str
    status: str
    created_at: datetime
    counts: dict[str, int]


class WorkflowListOut(Schema):
    """The newest runs first."""

    items: list[WorkflowSummaryOut]


class RunActionOut(Schema):
    """What an action on a whole run did: steps changed, and steps that had moved on."""

    changed: int
    skipped: int
