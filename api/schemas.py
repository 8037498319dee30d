"""Request and response bodies of the API; django-ninja builds the OpenAPI document from them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, ConfigDict, StrictInt, StrictStr

from scheduler_core.domain import TaskStatus, WorkerState
from scheduler_core.domain.defaults import MAX_QUEUE_LENGTH
from scheduler_core.services import MAX_BATCH_SIZE

Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]
# PostgreSQL refuses NUL in text, so a filter holding one must be refused before it queries.
NO_NUL = r"^[^\x00]*$"


def _storable(moment: datetime) -> datetime:
    """The moment in UTC, if it has one (year 1 at +01:00 has not).

    In UTC because PostgreSQL refuses offsets beyond +-15:59, which Python accepts.
    """
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("is outside the range of datetimes that can be stored") from error


Moment = Annotated[AwareDatetime, AfterValidator(_storable)]


class SubmitIn(Schema):
    """One task to run. Left-out options take the registered task's defaults."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200, description="a name from GET /catalog")
    args: list[Any] = Field(default_factory=list)
    kwargs: dict[str, Any] = Field(default_factory=dict)
    queue: str | None = Field(default=None, max_length=MAX_QUEUE_LENGTH)
    priority: StrictInt | None = Field(default=None, ge=-100, le=100)
    run_after: Moment | None = None
    max_attempts: StrictInt | None = Field(default=None, ge=1, le=1000)
    timeout: Seconds | None = None
    unique_key: str | None = Field(default=None, max_length=255)
    tags: list[StrictStr] | None = Field(
        default=None, description="Labels to find the task by, after the task's own"
    )
    result_ttl: StrictInt | None = Field(
        default=None, description="Seconds the result is kept once the task finished"
    )


class BatchIn(Schema):
    """Several tasks, stored all together or not at all."""

    model_config = ConfigDict(extra="forbid")

    tasks: list[SubmitIn] = Field(min_length=1, max_length=MAX_BATCH_SIZE)


class TaskErrorOut(Schema):
    """What one failed attempt raised."""

    attempt: int
    exception_type: str
    message: str
    traceback: str
    failed_at: datetime
    worker_id: str | None


class ProgressOut(Schema):
    """The latest progress a running task reported (stored about once a second)."""

    done: float
    total: float | None
    message: str
    percent: int | None = Field(description="done / total as a whole percentage; null if no total")
    at: datetime | None = Field(description="when the worker stored this report")


class TaskOut(Schema):
    """A task as stored now."""

    id: UUID
    name: str
    status: TaskStatus
    args: list[Any]
    kwargs: dict[str, Any]
    queue: str
    priority: int
    attempt: int
    max_attempts: int
    run_after: datetime
    enqueued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    worker_id: str | None
    worker_ids: list[str]
    result: Any = None
    errors: list[TaskErrorOut]
    timeout: float | None
    unique_key: str | None
    cancel_requested: bool
    tags: list[str]
    result_ttl: int | None
    result_expired: bool = Field(description="The result_ttl ran out and the result was dropped")
    progress: ProgressOut | None = Field(
        None, description="the latest progress the task reported (context.progress)"
    )
    snoozes: int = Field(0, description="how often the task snoozed (scheduler_core.Snooze)")


class TaskPageOut(Schema):
    """One page of tasks, newest first; pass next_cursor as `cursor` for the next one."""

    items: list[TaskOut]
    next_cursor: str | None


class BatchOut(Schema):
    """The task each request of a batch resolved to, in order."""

    tasks: list[TaskOut]


class WorkerOut(Schema):
    """A worker process and its last heartbeat."""

    id: str
    hostname: str
    pid: int
    queues: list[str]
    concurrency: int
    state: WorkerState
    started_at: datetime
    last_heartbeat: datetime
    active_task_ids: list[UUID]


class QueueOut(Schema):
    """A queue: tasks in each status and how long its oldest due task has waited."""

    name: str
    paused: bool
    limit: int | None = Field(
        description="At most this many tasks of the queue run at once across all workers"
    )
    rate: QueueRateOut | None = Field(
        description="At most this many of the queue's tasks start per second or minute"
    )
    counts: dict[str, int]
    oldest_ready_age_seconds: float | None


class QueuePauseOut(Schema):
    """Whether the queue is paused now, and whether this request changed that."""

    name: str
    paused: bool
    changed: bool


class QueueLimitIn(Schema):
    """A queue's new concurrency limit: a whole number from 1, or null to lift it."""

    limit: StrictInt | None


class QueueRateIn(Schema):
    """A queue's new rate limit: at most `limit` task starts per `per`; a null limit lifts it."""

    limit: StrictInt | None
    per: Literal["second", "minute"] = "second"
    partition_by: StrictStr | None = Field(
        default=None, description="A keyword argument whose values each get their own rate"
    )


class QueueRateOut(Schema):
    """A queue's rate limit: at most `limit` task starts per `per` across all workers."""

    limit: int
    per: str
    partition_by: str | None


class QueueRateSetOut(Schema):
    """The queue's rate limit now (null: unlimited)."""

    name: str
    rate: QueueRateOut | None


class QueueLimitOut(Schema):
    """The queue's concurrency limit now (null: unlimited)."""

    name: str
    limit: int | None


class ParameterOut(Schema):
    """One parameter of a task's function."""

    name: str
    kind: str
    required: bool
    default: str | None = Field(description="repr() of the default value, if any")
    annotation: str | None


class CatalogEntryOut(Schema):
    """A registered task: its parameters and the options a submit defaults to."""

    name: str
    parameters: list[ParameterOut]
    queue: str
    priority: int
    max_attempts: int
    timeout: float | None
    soft_timeout: float | None = None
    retry_policy: list[str] = Field(
        default_factory=list, description="the effective retry policy and time limits, in words"
    )


class ErrorDetail(Schema):
    """What went wrong: a stable code, a message for people and the field at fault."""

    code: str
    message: str
    field: str | None


class ErrorOut(Schema):
    """Every error response has this body."""

    error: ErrorDetail
