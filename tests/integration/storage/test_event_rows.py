"""The raw transition-log INSERT stores exactly what the ORM's event rows would."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler_core.domain import Task, TaskStatus, TaskTransition
from scheduler_core.models import TaskEvent
from scheduler_core.storage import DjangoTaskRepository
from scheduler_core.storage.event_rows import insert_transitions


def test_transitions_are_stored_as_the_model_reads_them(
    alias: str, tasks: DjangoTaskRepository
) -> None:
    now = tasks.clock.now()
    first, second = (Task.create("demo.noop", now=now) for _ in range(2))
    tasks.add_many([first, second])
    later = now + timedelta(seconds=1)

    def moved(
        task: Task, to: TaskStatus, at: datetime, attempt: int, actor: str, reason: str = ""
    ) -> TaskTransition:
        start = TaskStatus.RUNNING if to is TaskStatus.SUCCEEDED else TaskStatus.READY
        return TaskTransition(
            task_id=task.id,
            from_status=start,
            to_status=to,
            at=at,
            attempt=attempt,
            actor=actor,
            reason=reason,
        )

    transitions = [
        moved(first, TaskStatus.RUNNING, now, 1, "w" * 250),
        moved(first, TaskStatus.SUCCEEDED, later, 1, "w1"),
        moved(second, TaskStatus.RUNNING, later, 3, "w2", "r" * 400),
    ]

    insert_transitions(alias, transitions)

    rows = TaskEvent.objects.using(alias).filter(
        task_id__in=[first.id, second.id], to_status__in=["running", "succeeded"]
    )
    stored = sorted(
        (
            row.task_id == first.id,
            row.from_status,
            row.to_status,
            row.at,
            row.attempt,
            row.actor,
            row.reason,
        )
        for row in rows
    )
    assert stored == sorted(
        [
            (True, "ready", "running", now, 1, "w" * 200, ""),
            (True, "running", "succeeded", later, 1, "w1", ""),
            (False, "ready", "running", later, 3, "w2", "r" * 300),
        ]
    )


def test_no_transitions_write_nothing(alias: str) -> None:
    before = TaskEvent.objects.using(alias).count()
    insert_transitions(alias, [])
    assert TaskEvent.objects.using(alias).count() == before
