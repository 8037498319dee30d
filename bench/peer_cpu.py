"""CPU per job of a drain, beside the peers: the whole machine's busy CPU over the jobs run.

Usage: python -m bench.peer_cpu --peers <dir> ours:pg,pgqueuer:pg [--workers 2] [--n 10000]
       [--repeats 3]

`<dir>` is a copy of the peer harness (`../shared/peers/README.md`), set up as it says;
run this with that copy's Python, with `OURS_APP_DIR` (and `OURS_PG_DB`) as for its runs.

The harness times drains; a peer that finishes sooner may do so because it works less per
job or because it leaves fewer cores idle. On a machine where every peer is short of CPU
only the first counts, so this reads the busy CPU of the whole machine (`/proc/stat`:
user, nice, system, irq and softirq, every process and the database server alike) every
20 ms while each peer's workers drain the same backlog the harness's W2 gives them. It
counts the middle of the drain (from the sample with 10 % of the jobs recorded to the one
with 90 %), so that neither the start nor the tail weighs in; peers take turns, repeat by
repeat, and the medians are printed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from bench.cpu_split import TICK

SAMPLE_EVERY = 0.02
WINDOW = (0.1, 0.9)


@dataclass(frozen=True, slots=True)
class Sample:
    """The machine's busy and idle CPU seconds so far, and the jobs recorded, at `at`."""

    at: float
    busy: float
    idle: float
    jobs: int


@dataclass(frozen=True, slots=True)
class PerJob:
    """What the middle of a drain cost: busy and idle CPU µs per job, and jobs per second."""

    busy_us: float
    idle_us: float
    rate: float


def read_machine() -> tuple[float, float]:
    """Busy and idle CPU seconds of the whole machine since boot (the first line of /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...: time stolen by the host is neither.
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6]
    return busy / TICK, fields[3] / TICK


def per_job(samples: Sequence[Sample], jobs: int) -> PerJob:
    """The cost per job between the first samples with 10 % and with 90 % of `jobs` done."""
    low, high = (_first_reaching(samples, jobs * share) for share in WINDOW)
    done = high.jobs - low.jobs
    if done <= 0 or high.at <= low.at:
        raise ValueError("the samples do not span the middle of the drain")
    return PerJob(
        busy_us=(high.busy - low.busy) / done * 1e6,
        idle_us=(high.idle - low.idle) / done * 1e6,
        rate=done / (high.at - low.at),
    )


def _first_reaching(samples: Sequence[Sample], jobs: float) -> Sample:
    for sample in samples:
        if sample.jobs >= jobs:
            return sample
    raise ValueError("the samples do not span the middle of the drain")


def _drain(harness: ModuleType, peer: ModuleType, workers: int, jobs: int) -> PerJob:
    options: Any = argparse.Namespace(n=jobs, drain_timeout=600.0)
    harness.Bench(peer, options).fill(jobs)
    records = harness.RecDir()
    samples: list[Sample] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            busy, idle = read_machine()
            samples.append(Sample(time.monotonic(), busy, idle, records.count()))
            time.sleep(SAMPLE_EVERY)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    handle = peer.start_workers(workers, {harness.REC_ENV: records.path})
    try:
        if not harness.wait_records(records, jobs, 600, harness.procs_of(handle)):
            raise RuntimeError(f"{peer.PEER}: the drain did not finish")
    finally:
        stop.set()
        sampler.join()
        peer.stop_workers(handle)
        records.cleanup()
    return per_job(samples, jobs)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", required=True, help="the set-up copy of the peer harness")
    parser.add_argument("which", help="peer:variant, comma-separated (ours:pg,pgqueuer:pg)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args(argv)
    sys.path.insert(0, os.path.abspath(options.peers))
    harness = importlib.import_module("harness")
    peers = []
    for spec in options.which.split(","):
        name, variant = spec.split(":")
        peers.append((spec, importlib.import_module(f"bench_{name}"), variant))
    results: dict[str, list[PerJob]] = {spec: [] for spec, _, _ in peers}
    for repeat in range(options.repeats):
        for spec, peer, variant in peers:
            peer.configure(variant)
            peer.setup()
            result = _drain(harness, peer, options.workers, options.n)
            results[spec].append(result)
            print(f"{spec} repeat {repeat + 1}: {result}", flush=True)
    for spec, runs in results.items():
        print(
            f"{spec}, {options.workers} worker process(es): "
            f"busy {statistics.median(r.busy_us for r in runs):.0f} µs/job, "
            f"idle {statistics.median(r.idle_us for r in runs):.0f} µs/job, "
            f"{statistics.median(r.rate for r in runs):.0f} jobs/s"
        )


if __name__ == "__main__":
    main()
