"""What happened to the tasks of one name (or queue) over a stretch of time, and how the
stretches of the rollup are sized: minutes, compacted into quarter hours and hours as
they age, so that a month stays a few hundred rows per task name (docs/metrics.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import duration_histogram as hist

MINUTE = 60
QUARTER = 15 * MINUTE
HOUR = 60 * MINUTE
SIX_HOURS = 6 * HOUR
DAY = 24 * HOUR
# (width, age): rows narrower than `width` whose stretch ended more than `age` seconds ago
# are merged into rows of `width`. Every page window reads rows no wider than its buckets:
# the last hour (minute buckets) reads only minute rows, the last day (15-minute buckets)
# minute and quarter rows, the last week (hourly buckets) rows up to an hour, the last 30
# days (6-hour buckets) any. A month is then at most about 1,000 rows per name and queue.
COMPACTION: tuple[tuple[int, int], ...] = (
    (QUARTER, 2 * HOUR),
    (HOUR, DAY + 2 * HOUR),
    (SIX_HOURS, 8 * DAY),
)
# The percentiles the pages and the API show.
PERCENTILES = (0.5, 0.95, 0.99)


@dataclass(slots=True, kw_only=True)
class TaskMetrics:
    """Counts and duration histograms of one stretch; stretches merge with `add`."""

    # Tasks that finished in the stretch, by how.
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0
    # Attempts that ended in an error (retried or not, "worker lost" included).
    failed_attempts: int = 0
    # Run time (start of the code to its end) and wait (due to claim) of the last attempt of
    # each task that succeeded or failed for good in the stretch.
    run_seconds_sum: float = 0.0
    run: hist.Histogram = field(default_factory=dict)
    wait_seconds_sum: float = 0.0
    wait: hist.Histogram = field(default_factory=dict)

    def add(self, other: TaskMetrics) -> None:
        """Add `other`'s counts into this one."""
        self.succeeded += other.succeeded
        self.failed += other.failed
        self.cancelled += other.cancelled
        self.failed_attempts += other.failed_attempts
        self.run_seconds_sum += other.run_seconds_sum
        hist.add_into(self.run, other.run)
        self.wait_seconds_sum += other.wait_seconds_sum
        hist.add_into(self.wait, other.wait)

    def record_finish(self, status: str, run: float | None, wait: float | None) -> None:
        """Count one task that finished as `status`, with its last attempt's timings."""
        if status == "succeeded":
            self.succeeded += 1
        elif status == "failed":
            self.failed += 1
        elif status == "cancelled":
            self.cancelled += 1
        if run is not None:
            run = max(0.0, run)
            self.run_seconds_sum += run
            hist.add_into(self.run, {hist.bucket_of(run): 1})
        if wait is not None:
            wait = max(0.0, wait)
            self.wait_seconds_sum += wait
            hist.add_into(self.wait, {hist.bucket_of(wait): 1})

    @property
    def finished(self) -> int:
        """Tasks that succeeded or failed for good."""
        return self.succeeded + self.failed

    @property
    def attempts_ended(self) -> int:
        """Attempts that ended with an outcome: the successes and the failed attempts."""
        return self.succeeded + self.failed_attempts

    @property
    def failure_rate(self) -> float | None:
        """Failed attempts over attempts that ended; None when none ended."""
        ended = self.attempts_ended
        return self.failed_attempts / ended if ended else None

    @property
    def run_count(self) -> int:
        """How many run times the histogram holds."""
        return hist.count(self.run)

    @property
    def wait_count(self) -> int:
        """How many waits the histogram holds."""
        return hist.count(self.wait)

    @property
    def run_mean(self) -> float | None:
        """The average run time."""
        n = self.run_count
        return self.run_seconds_sum / n if n else None

    @property
    def wait_mean(self) -> float | None:
        """The average wait."""
        n = self.wait_count
        return self.wait_seconds_sum / n if n else None

    def run_percentile(self, fraction: float) -> float | None:
        """At most how long that share of runs took (a bucket's upper bound)."""
        return hist.percentile(self.run, fraction)

    def wait_percentile(self, fraction: float) -> float | None:
        """At most how long that share of waits lasted (a bucket's upper bound)."""
        return hist.percentile(self.wait, fraction)

    def is_empty(self) -> bool:
        """True when nothing at all was counted."""
        counts = (self.succeeded, self.failed, self.cancelled, self.failed_attempts)
        return not any(counts) and not self.run and not self.wait


def stretch_start(moment: int, width: int) -> int:
    """The start of the stretch of `width` seconds that holds the Unix time `moment`."""
    return moment // width * width


def compaction_cutoff(now: int, width: int, age: int) -> int:
    """Rows that start before this moment are merged into rows of `width`: whole stretches
    of that width which ended more than `age` seconds before `now`."""
    return stretch_start(now - age, width)
