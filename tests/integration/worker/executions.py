"""Reading the execution log the `traced` test task writes: who ran what, and when."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


@dataclass(slots=True)
class Execution:
    """One execution of a task: when it started and the last moment it was seen alive."""

    key: str
    run: str
    started: float
    last_seen: float
    ended: bool = False


def executions(log: Path) -> dict[str, list[Execution]]:
    """Every execution in the log, by task key, in start order."""
    runs: dict[str, Execution] = {}
    for line in log.read_text().splitlines():
        kind, key, run, at = line.split()
        moment = float(at)
        if kind == "start":
            runs[run] = Execution(key, run, moment, moment)
        elif run in runs:
            runs[run].last_seen = max(runs[run].last_seen, moment)
            runs[run].ended |= kind == "end"
    by_key: dict[str, list[Execution]] = defaultdict(list)
    for execution in sorted(runs.values(), key=lambda e: e.started):
        by_key[execution.key].append(execution)
    return dict(by_key)


def overlaps(log: Path) -> list[tuple[Execution, Execution]]:
    """Pairs of executions of one task that were alive at the same moment."""
    found = []
    for runs in executions(log).values():
        for index, earlier in enumerate(runs):
            for later in runs[index + 1 :]:
                if later.started <= earlier.last_seen:
                    found.append((earlier, later))
    return found
