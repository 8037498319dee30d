"""The peer CPU probe's arithmetic (bench/peer_cpu.py): the middle of a drain, per job."""

from __future__ import annotations

import os
import time

import pytest

from bench.peer_cpu import Sample, per_job, read_machine


def test_per_job_counts_from_a_tenth_of_the_jobs_to_nine_tenths() -> None:
    # A slow start (1 s, 5 CPU s for 0 jobs) and tail are left out: from 10 to 90 jobs of
    # 100, 80 jobs took 2 s and 0.16 busy CPU seconds.
    samples = [
        Sample(at=0.0, busy=100.0, idle=50.0, jobs=0),
        Sample(at=1.0, busy=105.0, idle=50.0, jobs=5),
        Sample(at=1.5, busy=105.02, idle=50.01, jobs=10),
        Sample(at=2.5, busy=105.1, idle=50.02, jobs=50),
        Sample(at=3.5, busy=105.18, idle=50.05, jobs=90),
        Sample(at=9.0, busy=120.0, idle=60.0, jobs=100),
    ]
    result = per_job(samples, 100)
    assert result.busy_us == pytest.approx(2000.0)
    assert result.idle_us == pytest.approx(500.0)
    assert result.rate == pytest.approx(40.0)


def test_per_job_refuses_samples_that_never_reach_the_middle() -> None:
    with pytest.raises(ValueError, match="middle"):
        per_job([Sample(at=0.0, busy=1.0, idle=1.0, jobs=0)], 100)
    same = Sample(at=1.0, busy=1.0, idle=1.0, jobs=100)
    with pytest.raises(ValueError, match="middle"):
        per_job([same, same], 100)


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="needs /proc")
def test_the_machine_counters_grow_with_work() -> None:
    busy, idle = read_machine()
    # A tenth of a second of this process's own CPU: ten ticks of the kernel's counters
    # however fast the machine, so the busy count cannot stand still.
    until = time.process_time() + 0.1
    while time.process_time() < until:
        sum(range(10_000))
    later_busy, later_idle = read_machine()
    assert later_busy > busy
    assert later_idle >= idle
