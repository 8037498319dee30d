"""Where a drain's CPU goes: the supervisors, their slots, and the database's backends.

Throughput on a small machine is bounded by the CPU a task costs in all, so W2 reports
that cost split by process: each `runworkers` process (the supervisor), its descendants
(the forkserver and the slots), and on PostgreSQL the server backends connected to the
bench database. It reads the kernel's counters under /proc (Linux only; elsewhere the
split is left out), so it measures the processes as they run, with no profiler attached.
On SQLite the database works inside the supervisor's threads and counts as its CPU.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
# Clock ticks per second, the unit of the kernel's CPU counters under /proc.
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def available() -> bool:
    """Whether this system exposes per-process CPU counters the probe can read."""
    return (PROC / "self" / "stat").exists()


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces; the fields follow the last ')'.
    return text[text.rindex(")") + 2 :].split()


def _own_and_reaped(pid: int) -> tuple[float, float]:
    """CPU seconds of the process itself, and of its children it waited for; 0 if gone."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0, 0.0
    # Fields 14-17 of proc(5): utime, stime, cutime, cstime (here from index 11).
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return (utime + stime) / TICK, (cutime + cstime) / TICK


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of one process, its reaped children included; 0 if it is gone.

    The reaped children's share keeps the CPU of slots that exited and were waited for."""
    return sum(_own_and_reaped(pid))


def descendants(roots: Iterable[int]) -> set[int]:
    """Every live process below `roots` (children, their children, ...), roots excluded."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = list(roots)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


@dataclass(frozen=True, slots=True)
class Sample:
    """CPU seconds of each group at one moment."""

    supervisor: float
    slots: float
    # Per backend pid: a backend that connects during the drain counts from zero.
    database: dict[int, float]


def sample(supervisors: Iterable[int], backends: Iterable[int]) -> Sample:
    """The CPU used so far by the supervisors, everything below them, and the backends.

    A supervisor's own counter includes its reaped children, so the slots' share is taken
    out of it: the supervisor figure is the supervisor process alone.
    """
    roots = list(supervisors)
    split = [_own_and_reaped(pid) for pid in roots]
    own = sum(mine for mine, _ in split)
    reaped = sum(theirs for _, theirs in split)
    slots = sum(cpu_seconds(pid) for pid in descendants(roots)) + reaped
    return Sample(own, slots, {pid: cpu_seconds(pid) for pid in backends})


def per_task_us(before: Sample, after: Sample, tasks: int) -> dict[str, float]:
    """Microseconds of CPU per task in each group between two samples, and their total."""
    split = {
        "supervisor": after.supervisor - before.supervisor,
        "slots": after.slots - before.slots,
        # A backend that ended before the second sample is left out (its CPU is lost).
        "database": sum(
            seconds - before.database.get(pid, 0.0) for pid, seconds in after.database.items()
        ),
    }
    figures = {name: seconds * 1e6 / tasks for name, seconds in split.items()}
    figures["total"] = sum(figures.values())
    return figures
