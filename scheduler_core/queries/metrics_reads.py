"""Reading the metrics of a window: the stored rollup rows, plus the minutes after the
rollup's point counted on read from the task and error tables (a minute or two)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scheduler_core.domain.task_metrics import MINUTE, TaskMetrics, stretch_start
from scheduler_core.models import MetricsRollupState, TaskMetricsRow
from scheduler_core.storage.metrics_rollup import COUNT_COLUMNS, metrics_from
from scheduler_core.storage.metrics_source import Scope, minutes_between

# (stretch start, queue, task name, counts)
Stretch = tuple[int, str, str, TaskMetrics]
# At most this much time is counted on read. The rollup is normally a minute behind; when
# no worker has run its maintenance for longer, the page says so rather than reading hours
# of tasks on every render.
MAX_TAIL_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class WindowRead:
    """The stretches of a window, the database's time, and how far the rollup got."""

    stretches: list[Stretch]
    now: int
    rolled_until: int | None
    # Where the counting on read began: nothing between rolled_until and here is known.
    tail_from: int


COLUMNS = ("start", "queue", "name", *COUNT_COLUMNS)


def _stretch(row: tuple[Any, ...]) -> Stretch:
    return row[0], row[1], row[2], metrics_from(row[3:])


def window_stretches(using: str, since: int, now: int, scope: Scope) -> WindowRead:
    """Every stretch from `since` to `now` (Unix times, `now` by the database clock)."""
    rolled = (
        MetricsRollupState.objects.using(using)
        .filter(pk=1)
        .values_list("rolled_until", flat=True)
        .first()
    )
    stretches: list[Stretch] = []
    if rolled is not None and rolled > since:
        rows = TaskMetricsRow.objects.using(using).filter(start__gte=since, start__lt=rolled)
        if scope.name is not None:
            rows = rows.filter(name=scope.name)
        if scope.queue is not None:
            rows = rows.filter(queue=scope.queue)
        # Tuples, not model instances: a month of a busy queue is thousands of rows.
        stretches = [_stretch(row) for row in rows.order_by().values_list(*COLUMNS)]
    tail_from = max(since, rolled or since, stretch_start(now - MAX_TAIL_SECONDS, MINUTE))
    tail = minutes_between(using, tail_from, now + 1, scope)
    stretches.extend((key[0], key[1], key[2], metrics) for key, metrics in tail.items())
    return WindowRead(stretches, now, rolled, tail_from)
