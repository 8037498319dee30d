"""Activity buckets, summed in SQL from the per-minute rollup the log's triggers keep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scheduler_core.queries.activity import Window, activity
from tests.integration.dashboard.overview.factories import db_now, event, finished_task, task_row

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 28, 20, 30, 40, tzinfo=UTC)


def test_window_buckets_start_on_whole_minutes_and_end_with_the_current_one() -> None:
    window = Window.ending_at(NOW, timedelta(minutes=1), 60)
    assert window.start == datetime(2026, 11, 28, 19, 31, tzinfo=UTC)
    assert window.end == datetime(2026, 11, 28, 20, 31, tzinfo=UTC)
    assert window.bucket_start(59) == datetime(2026, 11, 28, 20, 30, tzinfo=UTC)


def test_a_window_needs_buckets_of_whole_minutes() -> None:
    with pytest.raises(ValueError, match="at least one bucket"):
        Window.ending_at(NOW, timedelta(minutes=1), 0)
    with pytest.raises(ValueError, match="whole number of minutes"):
        Window.ending_at(NOW, timedelta(seconds=90), 10)


def test_empty_tables_give_empty_buckets() -> None:
    buckets = activity("default", Window.ending_at(NOW, timedelta(minutes=1), 60))
    assert len(buckets) == 60
    assert all(b.succeeded == b.failed == b.started == 0 for b in buckets)
    assert all(b.wait_avg is None for b in buckets)


def test_outcomes_and_waits_land_in_their_buckets() -> None:
    window = Window.ending_at(NOW, timedelta(minutes=1), 60)
    last_minute = window.bucket_start(59)
    finished_task(at=last_minute + timedelta(seconds=10), waited=2.0)
    finished_task(at=last_minute + timedelta(seconds=20), waited=4.0)
    finished_task(at=last_minute - timedelta(seconds=30), status="failed", waited=1.0)
    retried = task_row(status="retrying")
    event(retried, "running", "retrying", last_minute - timedelta(seconds=31))
    # Before the window, and a cancel of a waiting task: neither is counted.
    finished_task(at=window.start - timedelta(seconds=1))
    event(task_row(status="cancelled"), "ready", "cancelled", last_minute)

    buckets = activity("default", window)

    assert (buckets[59].succeeded, buckets[59].failed) == (2, 0)
    assert (buckets[58].succeeded, buckets[58].failed) == (0, 2)
    assert sum(b.succeeded for b in buckets) == 2
    assert sum(b.failed for b in buckets) == 2
    assert buckets[59].started == 2
    assert buckets[59].wait_avg == pytest.approx(3.0, abs=0.01)
    assert buckets[59].wait_max == pytest.approx(4.0, abs=0.01)
    assert buckets[58].wait_avg == pytest.approx(1.0, abs=0.01)


def test_an_event_logged_a_little_out_of_order_is_still_counted() -> None:
    window = Window.ending_at(NOW, timedelta(minutes=1), 60)
    task = task_row(status="succeeded")
    event(task, "ready", "running", window.start + timedelta(minutes=5))
    # Stamped earlier than the event before it (another process's clock), inserted later.
    event(task, "running", "succeeded", window.start + timedelta(minutes=1))
    assert sum(b.succeeded for b in activity("default", window)) == 1


def test_buckets_are_computed_alike_on_every_database(alias: str) -> None:
    now = db_now(alias)
    window = Window.ending_at(now, timedelta(minutes=15), 96)
    newest = window.bucket_start(95)
    finished_task(at=newest + timedelta(seconds=3), waited=1.5, using=alias)
    finished_task(at=newest + timedelta(seconds=4), waited=2.5, using=alias)
    finished_task(at=window.bucket_start(10) + timedelta(minutes=14, seconds=59), using=alias)
    failed = finished_task(at=window.bucket_start(11), status="failed", using=alias)
    event(failed, "running", "retrying", window.bucket_start(11), using=alias)

    buckets = activity(alias, window)

    assert [
        (i, b.succeeded, b.failed) for i, b in enumerate(buckets) if b.succeeded or b.failed
    ] == [
        (10, 1, 0),
        (11, 0, 2),
        (95, 2, 0),
    ]
    assert buckets[95].wait_avg == pytest.approx(2.0, abs=0.01)
    assert buckets[95].wait_max == pytest.approx(2.5, abs=0.01)
