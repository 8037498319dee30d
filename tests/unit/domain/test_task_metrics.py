"""TaskMetrics: counting finishes, merging stretches, the derived figures; stretch sizes."""

from __future__ import annotations

from scheduler_core.domain import duration_histogram as hist
from scheduler_core.domain.task_metrics import (
    COMPACTION,
    DAY,
    HOUR,
    MINUTE,
    QUARTER,
    TaskMetrics,
    compaction_cutoff,
    stretch_start,
)


def test_finishes_are_counted_by_status_with_their_timings() -> None:
    m = TaskMetrics()
    m.record_finish("succeeded", 0.2, 1.0)
    m.record_finish("failed", 3.0, -0.5)  # a clock step back counts as no wait
    m.record_finish("cancelled", None, None)
    m.failed_attempts += 2
    assert (m.succeeded, m.failed, m.cancelled, m.finished) == (1, 1, 1, 2)
    assert m.run_count == 2 and m.wait_count == 2
    assert m.run_mean == 1.6 and m.wait_mean == 0.5
    assert m.attempts_ended == 3
    assert m.failure_rate == 2 / 3
    assert m.run_percentile(0.5) == 0.2 and m.run_percentile(0.99) == 3.15


def test_merging_stretches_adds_counts_and_histograms() -> None:
    a, b = TaskMetrics(), TaskMetrics()
    a.record_finish("succeeded", 1.0, 0.0)
    b.record_finish("succeeded", 100.0, 0.0)
    b.failed_attempts = 1
    a.add(b)
    assert a.succeeded == 2 and a.failed_attempts == 1
    assert a.run == {hist.bucket_of(1.0): 1, hist.bucket_of(100.0): 1}
    assert a.run_seconds_sum == 101.0


def test_empty_metrics_have_no_rates() -> None:
    m = TaskMetrics()
    assert m.is_empty()
    assert m.failure_rate is None and m.run_mean is None and m.run_percentile(0.5) is None
    m.failed_attempts = 1
    assert not m.is_empty() and m.failure_rate == 1.0


def test_stretches_start_on_whole_multiples_of_their_width() -> None:
    assert stretch_start(3_661, MINUTE) == 3_660
    assert stretch_start(3_661, QUARTER) == 3_600
    assert stretch_start(7_199, HOUR) == 3_600


def test_each_compaction_leaves_the_windows_their_narrow_rows() -> None:
    # The last hour reads minute rows; the last day (plus its first, partial bucket) reads
    # rows at most a quarter wide: compaction into each width waits longer than that.
    (quarter, quarter_age), (hour, hour_age), (six, six_age) = COMPACTION
    assert quarter == QUARTER and quarter_age > HOUR + MINUTE
    assert hour == HOUR and hour_age > DAY + QUARTER
    assert six == 6 * HOUR and six_age > 7 * DAY + HOUR and DAY % six == 0
    now = 10 * DAY + 5 * HOUR + 7 * MINUTE + 13
    assert compaction_cutoff(now, QUARTER, quarter_age) <= now - quarter_age
    assert compaction_cutoff(now, QUARTER, quarter_age) % QUARTER == 0
