"""The task list's filter parameters, shared by the list and the bulk actions by filter."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field

from scheduler_core.domain import TaskFilter, TaskStatus
from scheduler_core.domain.tags import MAX_TAG_LENGTH, check_tag

from .schemas import NO_NUL, Moment


class TaskFilterFields(Schema):
    """Which tasks: every field optional, combined with AND."""

    status: list[TaskStatus] = Field(default_factory=list)
    queue: str | None = Field(default=None, max_length=100, pattern=NO_NUL)
    name: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    worker: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    enqueued_after: Moment | None = None
    enqueued_before: Moment | None = None
    search: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    tag: str | None = Field(default=None, max_length=MAX_TAG_LENGTH, pattern=NO_NUL)

    def task_filter(self) -> TaskFilter:
        """The domain filter of these fields; TaskInvalid(field='tag') for a bad tag."""
        if self.tag is not None:
            check_tag(self.tag, "tag")
        return TaskFilter(
            statuses=frozenset(self.status),
            queue=self.queue,
            name=self.name,
            worker_id=self.worker,
            enqueued_after=self.enqueued_after,
            enqueued_before=self.enqueued_before,
            search=self.search,
            tag=self.tag,
        )
