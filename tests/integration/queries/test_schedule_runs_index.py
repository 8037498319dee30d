"""A schedule's runs: found by their keys in instant order, through migration 0012's index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections, transaction

from scheduler_core.domain import Schedule, Task, TaskStatus
from scheduler_core.queries.schedule_runs import _runs, latest_run, recent_runs
from scheduler_core.storage import DjangoTaskRepository

START = datetime(2026, 11, 29, 3, 0, 5, tzinfo=UTC)


def schedule(name: str) -> Schedule:
    return Schedule(name=name, task="demo.noop", interval_seconds=60)


def run(tasks: DjangoTaskRepository, name: str, instant: datetime) -> Task:
    """A finished task as schedule `name` leaves one for the run at `instant`."""
    made = Task.create(
        "demo.noop", now=tasks.clock.now(), unique_key=schedule(name).unique_key(instant)
    )
    tasks.add(made)
    made.cancel(now=tasks.clock.now())
    tasks.update(made, expected_status=TaskStatus.READY, expected_attempt=0)
    return made


def test_the_runs_of_a_schedule_come_newest_instant_first_and_no_others(alias: str) -> None:
    tasks = DjangoTaskRepository(alias)
    # Stored out of order: a whole second sorts before a fraction of the same second.
    instants = [
        START + timedelta(minutes=2),
        START,
        START + timedelta(microseconds=500_000),
        START + timedelta(days=40),
        START - timedelta(days=400),
    ]
    mine = {run(tasks, "a", instant).id: instant for instant in instants}
    # Names sharing the prefix, or sorting right next to it, are other schedules.
    for other in ("a:b", "a:1", "ab", "A", "b"):
        run(tasks, other, START + timedelta(minutes=1))
    tasks.add(Task.create("demo.noop", now=tasks.clock.now(), unique_key="schedule:a:soon"))

    newest_first = [mine[task.id] for task in recent_runs(alias, "a")]

    assert newest_first == sorted(instants, reverse=True)
    assert [mine[task.id] for task in recent_runs(alias, "a", 2)] == newest_first[:2]
    latest = latest_run(alias, "a")
    assert latest is not None and mine[latest.id] == START + timedelta(days=40)
    assert [t.unique_key for t in recent_runs(alias, "a:b")] == [
        schedule("a:b").unique_key(START + timedelta(minutes=1))
    ]
    assert latest_run(alias, "never-ran") is None


def test_the_runs_are_read_through_the_key_index(alias: str) -> None:
    tasks = DjangoTaskRepository(alias)
    for minute in range(50):
        run(tasks, "nightly", START + timedelta(minutes=minute))
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        if connections[alias].vendor == "postgresql":
            # The table is small; the question is whether the planner can use the index
            # for the query as the ORM writes it (the "C" collation must match).
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = _runs(alias, "nightly")[:20].explain()

    assert "sched_task_key_order_idx" in plan
    # Read in the index's order: no sort of the matching rows.
    assert "Sort" not in plan and "TEMP B-TREE" not in plan.upper()


@pytest.mark.parametrize("backend", ["postgres"])
def test_postgres_orders_the_keys_by_bytes_whatever_the_database_collation(
    alias: str,
) -> None:
    # In a punctuation-blind collation 'schedule:a:1…' and 'schedule:a1…' interleave; the
    # query and the index compare under "C", so the range holds exactly the one schedule.
    tasks = DjangoTaskRepository(alias)
    kept = run(tasks, "a", START)
    run(tasks, "a1", START)
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indexrelid = 'sched_task_key_order_idx'::regclass"
        )
        (definition,) = cursor.fetchone()

    assert 'COLLATE "C"' in definition
    assert [task.id for task in recent_runs(alias, "a")] == [kept.id]
