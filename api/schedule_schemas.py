"""Request and response bodies of the /schedules endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from scheduler_core.domain import CatchUp
from scheduler_core.domain.defaults import MAX_QUEUE_LENGTH

from .schemas import NO_NUL


class ScheduleIn(Schema):
    """A new schedule: a registered task, and either a cron expression or an interval."""

    # A misspelt field would otherwise be dropped without a word, as task submits refuse it.
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200, pattern=NO_NUL)
    task: str = Field(max_length=200, pattern=NO_NUL)
    args: list[Any] = Field(default_factory=list)
    kwargs: dict[str, Any] = Field(default_factory=dict)
    cron: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    interval_seconds: int | None = None
    timezone: str = Field(default="UTC", max_length=100, pattern=NO_NUL)
    enabled: bool = True
    catch_up: CatchUp = CatchUp.SKIP
    catch_up_limit: int = 10
    queue: str | None = Field(default=None, max_length=MAX_QUEUE_LENGTH, pattern=NO_NUL)
    priority: int | None = None
    max_attempts: int | None = None
    workflow: list[dict[str, Any]] = Field(
        default_factory=list,
        description="a workflow template: each firing enqueues a run of these steps named "
        "`task` (steps as in POST /workflows); empty for a schedule of one task",
    )


class SchedulePatch(Schema):
    """The fields of a schedule to change; the ones left out keep their values."""

    # An unknown field is refused (422), not answered 200 with nothing changed.
    model_config = ConfigDict(extra="forbid")

    task: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    args: list[Any] | None = None
    kwargs: dict[str, Any] | None = None
    cron: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    interval_seconds: int | None = None
    timezone: str | None = Field(default=None, max_length=100, pattern=NO_NUL)
    enabled: bool | None = None
    catch_up: CatchUp | None = None
    catch_up_limit: int | None = None
    queue: str | None = Field(default=None, max_length=MAX_QUEUE_LENGTH, pattern=NO_NUL)
    priority: int | None = None
    max_attempts: int | None = None
    workflow: list[dict[str, Any]] | None = None


class ScheduleOut(Schema):
    """A schedule, its next five fire times and its timing in words."""

    name: str
    task: str
    args: list[Any]
    kwargs: dict[str, Any]
    cron: str | None
    interval_seconds: int | None
    timezone: str
    enabled: bool
    catch_up: CatchUp
    catch_up_limit: int
    queue: str | None
    priority: int | None
    max_attempts: int | None
    workflow: list[dict[str, Any]]
    next_run_at: datetime | None
    last_run_at: datetime | None
    next_runs: list[datetime]
    description: str
