"""Task lists over tasks held in memory: filters and keyset pages, newest enqueued first."""

from __future__ import annotations

import json
from collections.abc import Iterable

from scheduler_core.domain import Cursor, Page, PageRequest, Task, TaskFilter


def matches(task: Task, task_filter: TaskFilter) -> bool:
    """True when the task meets every field set in the filter."""
    f = task_filter
    return (
        (not f.statuses or task.status in f.statuses)
        and (f.queue is None or task.queue == f.queue)
        and (f.name is None or task.name == f.name)
        and (f.worker_id is None or task.worker_id == f.worker_id)
        # Half-open [after, before), so adjacent ranges neither overlap nor leave gaps.
        and (f.enqueued_after is None or task.enqueued_at >= f.enqueued_after)
        and (f.enqueued_before is None or task.enqueued_at < f.enqueued_before)
        and (not f.search or _mentions(task, f.search))
        and (f.error_type is None and f.failed_after is None or _failed_so(task, f))
        and (f.tag is None or f.tag in task.tags)
    )


def _failed_so(task: Task, task_filter: TaskFilter) -> bool:
    """True when one of the task's attempts failed with the filter's error type and time."""
    kind, since = task_filter.error_type, task_filter.failed_after
    return any(
        (kind is None or error.exception_type == kind)
        and (since is None or error.failed_at >= since)
        for error in task.errors
    )


def keyset_page(tasks: Iterable[Task], page: PageRequest) -> Page[Task]:
    """One page of `tasks` (already filtered) after the request's cursor, in its order."""
    after = page.after

    def past(task: Task) -> bool:
        if after is None:
            return True
        key, edge = (task.enqueued_at, task.id), (after.enqueued_at, after.task_id)
        return key > edge if page.oldest_first else key < edge

    rows = sorted(
        (task for task in tasks if past(task)),
        key=lambda task: (task.enqueued_at, task.id),
        reverse=not page.oldest_first,
    )
    items = rows[: page.limit]
    next_cursor = None
    if len(rows) > page.limit:
        last = items[-1]
        next_cursor = Cursor(last.enqueued_at, last.id)
    return Page(items, next_cursor)


def _mentions(task: Task, search: str) -> bool:
    # Non-ASCII text stays as itself (as PostgreSQL prints jsonb), so "é" finds "é".
    needle = search.lower()
    return any(
        needle in json.dumps(value, ensure_ascii=False).lower()
        for value in (task.args, task.kwargs)
    )
