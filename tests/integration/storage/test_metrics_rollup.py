"""The metrics rollup on every database: what it stores adds up to the rows it read, however
old (minute, quarter-hour and hour rows), and passes are idempotent and exclusive."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import psycopg
import pytest
from django.db import connections

from scheduler_core.domain import duration_histogram as hist
from scheduler_core.domain.task_metrics import HOUR, MINUTE, QUARTER, TaskMetrics
from scheduler_core.models import MetricsRollupState, TaskMetricsRow
from scheduler_core.queries.metrics_reads import window_stretches
from scheduler_core.storage.db_clock import DatabaseClock
from scheduler_core.storage.metrics_rollup import DjangoMetricsRollup
from scheduler_core.storage.metrics_source import Scope

from .metrics_history import Finished, write_history

AGES = [timedelta(minutes=m) for m in (1.5, 3, 5, 30, 59, 61, 90, 150, 400)] + [
    timedelta(hours=h) for h in (20, 23.5, 25, 27, 50, 100, 24 * 6.5, 24 * 20, 24 * 29, 24 * 40)
]


def roll_all(alias: str) -> None:
    rollup = DjangoMetricsRollup(alias, retention_days=30)
    for _ in range(50):
        if rollup.roll_up().minutes_rolled == 0:
            return
    raise AssertionError("the rollup never caught up")


def expected(
    history: list[Finished], errors: list[tuple[str, str, datetime]], since_unix: int, scope: Scope
) -> TaskMetrics:
    m = TaskMetrics()
    for task in history:
        if task.finished_at.timestamp() < since_unix:
            continue
        if scope.name not in (None, task.name) or scope.queue not in (None, task.queue):
            continue
        timed = task.status != "cancelled"
        m.record_finish(task.status, task.run if timed else None, task.wait if timed else None)
    for name, queue, failed_at in errors:
        if (
            failed_at.timestamp() >= since_unix
            and scope.name in (None, name)
            and scope.queue in (None, queue)
        ):
            m.failed_attempts += 1
    return m


def summed(alias: str, since: int, scope: Scope) -> TaskMetrics:
    now = int(DatabaseClock(alias).now().timestamp())
    total = TaskMetrics()
    for _, _, _, metrics in window_stretches(alias, since, now, scope).stretches:
        total.add(metrics)
    return total


def same(a: TaskMetrics, b: TaskMetrics) -> None:
    assert (a.succeeded, a.failed, a.cancelled, a.failed_attempts) == (
        b.succeeded,
        b.failed,
        b.cancelled,
        b.failed_attempts,
    )
    assert a.run == b.run and a.wait == b.wait
    assert a.run_seconds_sum == pytest.approx(b.run_seconds_sum, abs=1e-3)


def test_stored_rows_add_up_to_the_tasks_of_each_window_and_scope(alias: str) -> None:
    history, errors = write_history(alias, AGES)
    roll_all(alias)
    rows = TaskMetricsRow.objects.using(alias)
    widths = set(rows.values_list("width", flat=True))
    assert widths == {MINUTE, QUARTER, HOUR, 6 * HOUR}
    # Minute rows only in the last two hours, hour rows only past a day and a bit.
    now = int(DatabaseClock(alias).now().timestamp())
    assert all(
        now - s < 3 * HOUR for s in rows.filter(width=MINUTE).values_list("start", flat=True)
    )
    assert all(now - s > 25 * HOUR for s in rows.filter(width=HOUR).values_list("start", flat=True))
    assert all(
        now - s > 8 * 24 * HOUR for s in rows.filter(width=6 * HOUR).values_list("start", flat=True)
    )
    # Nothing past retention (30 days) was counted.
    assert all(now - s <= 31 * 24 * HOUR for s in rows.values_list("start", flat=True))
    for since in (
        now - HOUR // MINUTE * MINUTE,
        now // QUARTER * QUARTER - 24 * HOUR,
        now // HOUR * HOUR - 7 * 24 * HOUR,
        now // (6 * HOUR) * (6 * HOUR) - 29 * 24 * HOUR,
    ):
        since = since // MINUTE * MINUTE
        for scope in (Scope(), Scope(name="demo.add"), Scope(queue="mail")):
            same(summed(alias, since, scope), expected(history, errors, since, scope))


def test_a_second_pass_changes_nothing_and_later_finishes_are_added(alias: str) -> None:
    history, errors = write_history(alias, AGES[:12])
    roll_all(alias)
    before = sorted(
        TaskMetricsRow.objects.using(alias).values_list("start", "queue", "name", "succeeded")
    )
    report = DjangoMetricsRollup(alias, retention_days=30).roll_up()
    assert report.rows_written == 0
    after = sorted(
        TaskMetricsRow.objects.using(alias).values_list("start", "queue", "name", "succeeded")
    )
    assert before == after
    more, more_errors = write_history(alias, [timedelta(seconds=5)], seed=9)
    since = int(DatabaseClock(alias).now().timestamp()) // 60 * 60 - 2 * HOUR
    # Not rolled yet (the minute is not closed): counted on read all the same.
    same(
        summed(alias, since, Scope()),
        expected(history + more, errors + more_errors, since, Scope()),
    )


def test_a_pass_finding_the_state_locked_skips(backend: str, alias: str) -> None:
    if backend != "postgres":
        pytest.skip("SQLite takes the one write lock at BEGIN; there is no row to skip")
    write_history(alias, AGES[:6])
    MetricsRollupState.objects.using(alias).update_or_create(pk=1, defaults={"rolled_until": None})
    params = connections[alias].get_connection_params()
    for key in ("cursor_factory", "context"):
        params.pop(key, None)
    with psycopg.connect(**params) as holder:
        holder.execute("SELECT 1 FROM scheduler_metrics_rollup WHERE id = 1 FOR UPDATE")
        finished = threading.Event()
        result = []

        def other() -> None:
            try:
                result.append(DjangoMetricsRollup(alias).roll_up())
            finally:
                connections.close_all()
                finished.set()

        thread = threading.Thread(target=other)
        thread.start()
        # It must not wait for the lock holder.
        assert finished.wait(10)
        thread.join()
        holder.rollback()
    assert result[0].minutes_rolled == 0
    assert not TaskMetricsRow.objects.using(alias).exists()
    roll_all(alias)
    assert TaskMetricsRow.objects.using(alias).exists()


def test_histograms_are_stored_as_json_objects(alias: str) -> None:
    write_history(alias, [timedelta(hours=1.5)])
    roll_all(alias)
    row = TaskMetricsRow.objects.using(alias).get()
    stored = row.run_histogram or row.wait_histogram
    if stored:
        assert all(isinstance(k, str) for k in stored)
        assert sum(hist.decode(stored).values()) == 1


def test_on_sqlite_a_stretch_stored_meanwhile_by_another_worker_is_not_stored_twice(
    backend: str, alias: str
) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL locks the state row before it reads (see the test above)")
    history, errors = write_history(alias, AGES[:8])

    class Overtaken(DjangoMetricsRollup):
        """Another worker stores the stretch while this one counts it."""

        def _count(self, start: int, end: int, now: int) -> list[TaskMetricsRow]:
            rows = super()._count(start, end, now)
            DjangoMetricsRollup(alias, retention_days=30)._step()
            return rows

    assert Overtaken(alias, retention_days=30)._step() is None
    roll_all(alias)
    now = int(DatabaseClock(alias).now().timestamp())
    since = now // MINUTE * MINUTE - 29 * 24 * HOUR
    same(summed(alias, since, Scope()), expected(history, errors, since, Scope()))
