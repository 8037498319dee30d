"""The soak run: many quick tasks through a few workers; memory and connections stay flat."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from scheduler_core.bootstrap import get_services
from scheduler_core.domain.ports import SubmitRequest

from . import live
from .database import RunDatabase, connection_count
from .invariants import check, report
from .kinds import KINDS
from .processes import APPLICATION, Managed, environment, rss_mb

SUBMIT_BATCH = 1000
# Samples taken while slots start and pools and caches fill up are not counted as growth:
# the first WARM_UP_SECONDS, and at least the first WARM_UP_SHARE of the run.
WARM_UP_SECONDS = 30.0
WARM_UP_SHARE = 0.15
WINDOW = 3


@dataclass(slots=True)
class SoakOptions:
    """What one soak run does (see `python -m chaos soak --help`)."""

    tasks: int = 200_000
    workers: int = 2
    concurrency: int = 4
    sample_every: float = 5.0
    rss_growth_mb: float = 20.0
    # None: one per worker, the LISTEN connection each opens once the queue first empties.
    connection_growth: int | None = None
    timeout: float = 3600.0
    logs: Path = Path("/tmp")


@dataclass(frozen=True, slots=True)
class Sample:
    """One reading: seconds since the start, workers' RSS (all processes), connections."""

    at: float
    rss_mb: float
    connections: int | None


def growth(samples: list[Sample]) -> tuple[float, int | None] | None:
    """RSS growth (MB) and connection growth after the warm-up, window medians compared.

    None when too few samples came after the warm-up to judge.
    """
    warm = max(WARM_UP_SECONDS, samples[-1].at * WARM_UP_SHARE)
    settled = [sample for sample in samples if sample.at >= warm]
    if len(settled) < 2 * WINDOW:
        return None
    first = statistics.median(s.rss_mb for s in settled[:WINDOW])
    last = statistics.median(s.rss_mb for s in settled[-WINDOW:])
    counts = [s.connections for s in settled if s.connections is not None]
    extra = max(counts) - min(counts[:WINDOW]) if counts else None
    return last - first, extra


class Soak:
    """One soak run; `run()` returns the process exit code."""

    def __init__(self, options: SoakOptions, database: RunDatabase) -> None:
        self.options = options
        self.database = database
        self.env = environment(database.url, SCHEDULER_RETRY_BASE_SECONDS="0.2")
        self.services = get_services()
        self.samples: list[Sample] = []
        self.started = time.monotonic()
        self.last_sample = 0.0

    def sample(self, workers: list[Managed], force: bool = False) -> None:
        """Read RSS and connections if a sample is due."""
        now = time.monotonic()
        if not force and now - self.last_sample < self.options.sample_every:
            return
        self.last_sample = now
        connections = (
            connection_count(self.database, APPLICATION)
            if self.database.dialect == "postgresql"
            else None
        )
        rss = sum(rss_mb(worker.pid) for worker in workers)
        self.samples.append(Sample(round(now - self.started, 1), round(rss, 1), connections))

    def run(self) -> int:
        """Submit while the workers drain, sample, check; 0 when everything held."""
        options = self.options
        workers = [
            Managed(
                ["runworkers", "--concurrency", str(options.concurrency), "--worker-id", f"s{n}"],
                self.env,
                options.logs / f"worker-{n}.log",
            )
            for n in range(options.workers)
        ]
        request = SubmitRequest(name=KINDS["quick"].name, max_attempts=KINDS["quick"].max_attempts)
        for start in range(0, options.tasks, SUBMIT_BATCH):
            size = min(SUBMIT_BATCH, options.tasks - start)
            live.retrying(partial(self.services.tasks.submit_many, [request] * size))
            self.sample(workers)
        deadline = time.monotonic() + options.timeout
        while live.unfinished() and time.monotonic() < deadline:
            self.sample(workers)
            time.sleep(0.5)
        self.sample(workers, force=True)
        elapsed = time.monotonic() - self.started
        for worker in workers:
            worker.stop(timeout=60)
        result = check(live.snapshot())
        measured = growth(self.samples)
        if measured is None:
            result["worker RSS flat"] = [
                f"not judged: {len(self.samples)} samples in {elapsed:.0f}s leave fewer than "
                f"{2 * WINDOW} after the warm-up; submit more tasks or sample more often"
            ]
            print(report(result))
            return 1
        rss_growth, connection_growth = measured
        result["worker RSS flat"] = (
            [f"grew {rss_growth:.1f} MB after warm-up (limit {options.rss_growth_mb:g})"]
            if rss_growth > options.rss_growth_mb
            else []
        )
        limit = options.connection_growth
        if limit is None:
            limit = options.workers
        if connection_growth is not None:
            result["connections flat"] = (
                [f"{connection_growth} more after warm-up (limit {limit})"]
                if connection_growth > limit
                else []
            )
        print("seconds  worker RSS MB  connections")
        step = max(1, len(self.samples) // 20)
        for each in self.samples[::step] + self.samples[-1:]:
            print(f"{each.at:7.0f}  {each.rss_mb:13.1f}  {each.connections}")
        print(
            f"soak: {options.tasks} tasks, {options.workers} workers in {elapsed:.0f}s "
            f"({options.tasks / elapsed:.0f}/s); RSS growth {rss_growth:.1f} MB, "
            f"connection growth {connection_growth}"
        )
        print(report(result))
        violations = sum(len(found) for found in result.values())
        print(f"violations: {violations}")
        return 1 if violations else 0
