"""What the counters should say, worked out in Python from the task table and the log."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from scheduler_core.domain import Task
from scheduler_core.models import ActivityMinute, QueueCount, TaskEvent, TaskRecord, TaskTotals

ACTIVITY = ("started", "succeeded", "failed_attempts", "failed", "cancelled")
TOTALS = ("enqueued", "started", "succeeded", "failed", "retried", "cancelled", "rescued")


def minute_of(moment: datetime) -> int:
    """The Unix time of the minute holding `moment`."""
    return int(moment.timestamp()) // 60 * 60


def group_by_count(using: str) -> dict[tuple[str, str], int]:
    """A real GROUP BY count of the task table."""
    rows = TaskRecord.objects.using(using).values_list("queue", "status")
    return dict(Counter(rows))


def counted(using: str) -> dict[tuple[str, str], int]:
    """What the counter table says, shards added up, zeros left out."""
    sums: Counter[tuple[str, str]] = Counter()
    for row in QueueCount.objects.using(using):
        sums[(row.queue, row.status)] += row.n
    return {key: n for key, n in sums.items() if n}


def logged(using: str) -> Counter[tuple[int, str, str]]:
    """(minute, queue, column) -> how many log rows of kept tasks count there; totals too."""
    counts: Counter[tuple[int, str, str]] = Counter()
    queues = dict(TaskRecord.objects.using(using).values_list("id", "queue"))
    for event in TaskEvent.objects.using(using):
        if event.from_status == event.to_status:
            continue
        minute, queue = minute_of(event.at), queues[event.task_id]
        to, source = event.to_status, event.from_status
        kinds = {
            "started": to == "running",
            "succeeded": to == "succeeded",
            "failed_attempts": source == "running" and to in ("retrying", "failed"),
            "failed": to == "failed",
            "cancelled": to == "cancelled",
        }
        for kind, hit in kinds.items():
            if hit:
                counts[(minute, queue, kind)] += 1
        totals = {
            "started": to == "running",
            "succeeded": to == "succeeded",
            "failed": to == "failed",
            "retried": to == "retrying",
            "cancelled": to == "cancelled",
            "rescued": event.actor == "rescuer",
        }
        for kind, hit in totals.items():
            if hit:
                counts[(0, "*", kind)] += 1
    return counts


@dataclass
class Oracle:
    """The log's counts, plus those of rows deleted since, and the waits of every claim."""

    using: str
    removed: Counter[tuple[int, str, str]] = field(default_factory=Counter)
    enqueued: int = 0
    waits: dict[tuple[int, str], list[float]] = field(default_factory=dict)

    def claimed(self, tasks: list[Task]) -> None:
        """Note each claimed task's wait, from when it fell due to its start."""
        for task in tasks:
            assert task.started_at is not None
            wait = max(0.0, (task.started_at - task.run_after).total_seconds())
            key = (minute_of(task.started_at), task.queue)
            self.waits.setdefault(key, []).append(wait)

    def before_delete(self) -> Counter[tuple[int, str, str]]:
        """The log's counts before rows are deleted; pass them to after_delete."""
        return logged(self.using)

    def after_delete(self, before: Counter[tuple[int, str, str]]) -> None:
        """Keep what the deleted rows had logged: the counters never forget it."""
        self.removed += before - logged(self.using)

    def expected(self) -> Counter[tuple[int, str, str]]:
        """Every count the rollup and totals should hold."""
        return logged(self.using) + self.removed

    def check(self) -> None:
        """Counters, rollup and totals all agree with the table, the log and the claims."""
        assert counted(self.using) == group_by_count(self.using)
        expected = self.expected()
        activity = Counter[tuple[int, str, str]]()
        waits: dict[tuple[int, str], tuple[int, float, float | None]] = {}
        for row in ActivityMinute.objects.using(self.using):
            for kind in ACTIVITY:
                activity[(row.minute, row.queue, kind)] += getattr(row, kind)
            n, total, top = waits.get((row.minute, row.queue), (0, 0.0, None))
            tops = [value for value in (top, row.wait_seconds_max) if value is not None]
            waits[(row.minute, row.queue)] = (
                n + row.wait_count,
                total + row.wait_seconds_sum,
                max(tops) if tops else None,
            )
        assert +activity == Counter({k: v for k, v in expected.items() if k[1] != "*"})
        for key, values in self.waits.items():
            n, total, top = waits[key]
            assert n == len(values)
            assert abs(total - sum(values)) < 0.01 * len(values)
            assert top is not None and abs(top - max(values)) < 0.01
        assert sum(n for n, _, _ in waits.values()) == sum(len(v) for v in self.waits.values())
        totals = Counter[str]()
        for shard in TaskTotals.objects.using(self.using):
            for kind in TOTALS:
                totals[kind] += getattr(shard, kind)
        wanted = Counter({kind: n for (_, queue, kind), n in expected.items() if queue == "*"})
        wanted["enqueued"] = self.enqueued
        assert +totals == +wanted
