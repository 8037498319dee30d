"""Dashboard and API task lists as querysets: filters and keyset pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from scheduler_core.domain import PageRequest, TaskFilter
from scheduler_core.domain.listing import Cursor
from scheduler_core.models import TaskErrorRecord, TaskRecord

from .argument_search import index_serves, indexed, preferring_the_index, scanning
from .tag_search import tagged

# A search first reads this many of the newest candidate rows per row of the page, testing
# each: a term that common among recent tasks fills the page from them at once, the way a
# plain list page does. A rarer term goes to the trigram index, whose cost grows with the
# number of matches instead. 40 per row: about 2,000 rows for a dashboard page of 50.
WINDOW_ROWS_PER_RESULT = 40


def filtered(rows: QuerySet[TaskRecord], task_filter: TaskFilter) -> QuerySet[TaskRecord]:
    """Rows matching every field set in the filter."""
    rows = _narrowed(rows, task_filter)
    if task_filter.search:
        rows = indexed(rows, task_filter.search)
    return rows


def after(
    rows: QuerySet[TaskRecord], cursor: Cursor | None, *, oldest_first: bool = False
) -> QuerySet[TaskRecord]:
    """Rows past the cursor in the list's order (newest first unless asked), for a keyset page.

    Both orders are served by the same (…, enqueued_at, id) indexes, read forwards or
    backwards, so an oldest-first page costs what a newest-first one does.
    """
    if cursor is not None:
        if oldest_first:
            rows = rows.filter(
                Q(enqueued_at__gt=cursor.enqueued_at)
                | Q(enqueued_at=cursor.enqueued_at, id__gt=cursor.task_id)
            )
        else:
            rows = rows.filter(
                Q(enqueued_at__lt=cursor.enqueued_at)
                | Q(enqueued_at=cursor.enqueued_at, id__lt=cursor.task_id)
            )
    if oldest_first:
        return rows.order_by("enqueued_at", "id")
    return rows.order_by("-enqueued_at", "-id")


def page_rows(
    rows: QuerySet[TaskRecord], task_filter: TaskFilter, page: PageRequest
) -> list[TaskRecord]:
    """One keyset page of matching rows, plus the first row of the next page if any."""
    wanted = page.limit + 1
    oldest = page.oldest_first
    term = task_filter.search
    if not term and _by_error(task_filter):
        return _error_page(rows, task_filter, page)
    if not term:
        return list(after(filtered(rows, task_filter), page.after, oldest_first=oldest)[:wanted])
    candidates = after(_narrowed(rows, task_filter), page.after, oldest_first=oldest)
    if not index_serves(term):
        return list(scanning(candidates, term)[:wanted])
    window = WINDOW_ROWS_PER_RESULT * wanted
    ages = candidates.prefetch_related(None).values_list("enqueued_at", flat=True)
    edge = list(ages[window - 1 : window])
    if not edge:
        # Fewer candidates than the window holds: reading them all is the whole answer.
        return list(scanning(candidates, term)[:wanted])
    # Rows tied with the window's last one come along, so the window is a prefix of the
    # list order, and a full page found in it is the page.
    window_rows = (
        candidates.filter(enqueued_at__lte=edge[0])
        if oldest
        else candidates.filter(enqueued_at__gte=edge[0])
    )
    found = list(scanning(window_rows, term)[:wanted])
    if len(found) == wanted:
        return found
    # The page's ids first, then their rows: sorting the matches by age then carries two
    # columns, not whole rows (a third of the time for 100,000 matches on SQLite).
    with preferring_the_index(rows.db):
        ids = list(_ids(indexed(candidates, term))[:wanted])
    return list(candidates.filter(pk__in=ids))


def _by_error(task_filter: TaskFilter) -> bool:
    return task_filter.error_type is not None or task_filter.failed_after is not None


def _error_page(
    rows: QuerySet[TaskRecord], task_filter: TaskFilter, page: PageRequest
) -> list[TaskRecord]:
    """A page of tasks with a failed attempt of the filter's type and time.

    As a search does: the newest rows of the list first, each tested for such an error by
    the error rows' (task, attempt) index, which fills the page at once when the error is
    common among recent tasks (50,000 failed tasks of a million behind IN (error rows) took
    0.2 to 0.4 s, W4). A rarer error goes to the error rows: their (type, time, task) index
    holds the task ids, and the cost grows with the number of matches.
    """
    wanted = page.limit + 1
    oldest = page.oldest_first
    without = replace(task_filter, error_type=None, failed_after=None)
    candidates = after(_narrowed(rows, without), page.after, oldest_first=oldest)
    window = WINDOW_ROWS_PER_RESULT * wanted
    ages = candidates.prefetch_related(None).values_list("enqueued_at", flat=True)
    edge = list(ages[window - 1 : window])
    if edge:
        window_rows = (
            candidates.filter(enqueued_at__lte=edge[0])
            if oldest
            else candidates.filter(enqueued_at__gte=edge[0])
        )
        errors = _failed_task_ids(rows.db, task_filter).filter(task_id=OuterRef("pk"))
        found = list(window_rows.filter(Exists(errors))[:wanted])
        if len(found) == wanted:
            return found
    return list(after(filtered(rows, task_filter), page.after, oldest_first=oldest)[:wanted])


def _ids(rows: QuerySet[TaskRecord]) -> QuerySet[TaskRecord, Any]:
    return rows.prefetch_related(None).values_list("pk", flat=True)


def _narrowed(rows: QuerySet[TaskRecord], task_filter: TaskFilter) -> QuerySet[TaskRecord]:
    """Rows matching every field of the filter but the search."""
    f = task_filter
    if f.statuses:
        rows = rows.filter(status__in=sorted(s.value for s in f.statuses))
    if f.queue is not None:
        rows = rows.filter(queue=f.queue)
    if f.name is not None:
        rows = rows.filter(name=f.name)
    if f.worker_id is not None:
        rows = rows.filter(worker_id=f.worker_id)
    if f.enqueued_after is not None:
        rows = rows.filter(enqueued_at__gte=f.enqueued_after)
    if f.enqueued_before is not None:
        rows = rows.filter(enqueued_at__lt=f.enqueued_before)
    if f.error_type is not None or f.failed_after is not None:
        rows = rows.filter(pk__in=_failed_task_ids(rows.db, f))
    if f.tag is not None:
        rows = tagged(rows, f.tag)
    return rows


def _failed_task_ids(using: str, task_filter: TaskFilter) -> QuerySet[TaskErrorRecord, Any]:
    """Ids of tasks with a failed attempt of the filter's type and time, as a subquery.

    IN (subquery), not EXISTS per row: the planner may start from the error rows (few, and
    indexed by time) instead of testing every task of the list for an error.
    """
    errors = TaskErrorRecord.objects.using(using).order_by()
    if task_filter.error_type is not None:
        errors = errors.filter(exception_type=task_filter.error_type)
    if task_filter.failed_after is not None:
        errors = errors.filter(failed_at__gte=task_filter.failed_after)
    return errors.values("task_id")


def _only_errors(task_filter: TaskFilter) -> bool:
    return replace(task_filter, error_type=None, failed_after=None) == TaskFilter()


def capped_count(rows: QuerySet[TaskRecord], task_filter: TaskFilter, cap: int) -> int:
    """How many rows match, stopping at `cap`.

    A search counts as page_rows finds: the newest rows are tested first (a term that
    common reaches the cap among them at once), and only a rarer term goes to the trigram
    index, whose cost grows with the number of matches, few for such a term.
    """
    term = task_filter.search
    if not term and _by_error(task_filter) and _only_errors(task_filter):
        # Every error row belongs to a stored task (they go with it), so the tasks are the
        # distinct task ids of the matching error rows, read from their index alone.
        errors = _failed_task_ids(rows.db, task_filter).distinct()
        return errors[:cap].count()
    if term and index_serves(term):
        candidates = after(_narrowed(rows, task_filter), None)
        window = WINDOW_ROWS_PER_RESULT * cap // 20
        edge = list(candidates.values_list("enqueued_at", flat=True)[window - 1 : window])
        if edge:
            recent = scanning(candidates.filter(enqueued_at__gte=edge[0]), term)
            if recent.order_by()[:cap].count() >= cap:
                return cap
    return filtered(rows, task_filter).order_by()[:cap].count()
