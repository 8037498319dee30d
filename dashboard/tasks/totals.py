"""The task list's figures: tasks per status beside the filter, and the filter's total."""

from __future__ import annotations

from dataclasses import dataclass, replace

from scheduler_core.domain import Page, Task, TaskFilter, TaskStatus
from scheduler_core.services import TaskService

# A filter the counters cannot answer is counted up to this many rows, then "10,000+":
# the cost stays that of reading 10,000 index entries however many tasks match.
TOTAL_CAP = 10_000


@dataclass(frozen=True, slots=True)
class Total:
    """How many tasks the filter matches; `more` when there are more than `count`."""

    count: int
    more: bool = False


def status_counts(scheduler: TaskService, queue: str | None) -> dict[str, int]:
    """Tasks per status, of the queue when the filter names one, from the trigger-kept counters."""
    return {status.value: n for status, n in scheduler.counts(queue).items()}


def filter_total(scheduler: TaskService, task_filter: TaskFilter) -> Total:
    """The filter's total: exact from the counters when only statuses and a queue filter;
    otherwise counted by the database up to TOTAL_CAP."""
    if replace(task_filter, statuses=frozenset(), queue=None) == TaskFilter():
        counts = scheduler.counts(task_filter.queue)
        wanted = task_filter.statuses or frozenset(TaskStatus)
        return Total(sum(counts[status] for status in wanted))
    found = scheduler.count(task_filter, up_to=TOTAL_CAP + 1)
    return Total(min(found, TOTAL_CAP), more=found > TOTAL_CAP)


def page_total(
    scheduler: TaskService, task_filter: TaskFilter, first_page: Page[Task], is_first: bool
) -> Total:
    """The filter's total; no count at all when its first page holds every match."""
    if is_first and first_page.next_cursor is None:
        return Total(len(first_page.items))
    return filter_total(scheduler, task_filter)
