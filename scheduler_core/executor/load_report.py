"""What each heartbeat reports besides the beat: attempts finished and failed since the
worker started, and the resident memory of the worker and its slot processes."""

from __future__ import annotations

import os
from pathlib import Path

from scheduler_core.domain import WorkerLoad


class OutcomeTally:
    """Attempts the supervisor saw finish. Only the supervisor's thread writes; the
    heartbeat thread reads two ints, each read whole."""

    def __init__(self) -> None:
        self.processed = 0
        self.failed = 0

    def count(self, succeeded: bool) -> None:
        """One attempt ran to its end (raised, unless `succeeded`)."""
        self.processed += 1
        if not succeeded:
            self.failed += 1

    def report(self, pid: int | None = None) -> WorkerLoad:
        """The counts so far and the memory of the process tree of `pid` (this one)."""
        return WorkerLoad(
            processed=self.processed, failed=self.failed, rss_bytes=resident_bytes(pid)
        )


def descendants(pid: int) -> list[int]:
    """The process and every process below it (slots are children of the forkserver)."""
    found = [pid]
    for each in found:
        for thread in Path(f"/proc/{each}/task").glob("*"):
            try:
                found += [int(child) for child in (thread / "children").read_text().split()]
            except OSError:
                continue
    return found


def resident_bytes(pid: int | None = None) -> int | None:
    """VmRSS of the process and its descendants in bytes; None where /proc is missing."""
    root = os.getpid() if pid is None else pid
    total, seen = 0, False
    for each in descendants(root):
        try:
            lines = Path(f"/proc/{each}/status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
                seen = True
    return total if seen else None
