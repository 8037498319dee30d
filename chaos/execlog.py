"""The execution log: every run of a chaos task appends its start, ticks and end to one file.

A file, not a table: a worker cut off from the database (a partition) or frozen must still
be seen running, and a write must cost microseconds, not a round trip. Each record is one
short line written with one `write()` on an O_APPEND descriptor, which Linux appends whole,
so every process of a run (slots of every worker, in any network namespace) shares it.

Records (space separated, times in epoch seconds of this machine's clock):

    S <execution> <task> <attempt> <pid> <worker> <time>   the task's code starts
    T <execution> <time>                                   still running (every TICK s)
    F <execution> <time> <gap>                             first tick after a freeze of gap s
    E <execution> <time>                                   the task's code returned or raised

A thread of the slot process writes the ticks. When it wakes much later than it asked
(SIGSTOP, a frozen VM), it writes F instead of T: the checker can then tell a process
that resumed and kept running from one that resumed only to be killed at once.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

LOG_VARIABLE = "CHAOS_EXEC_LOG"
# Which of the runner's workers a process belongs to (inherited by forkserver and slots).
WORKER_VARIABLE = "CHAOS_WORKER"
TICK = 0.25
# A tick this much later than asked means the process was not running (not merely slow).
FREEZE_GAP = 1.0
# What a run does within this long after a thaw, before it dies or ends, is a thaw blip
# (see invariants.overlapping_pairs): two ticks.
THAW_GRACE = 2 * TICK


@dataclass(slots=True)
class Execution:
    """One run of a task's code, as the log tells it."""

    attempt: int
    pid: int
    start: float
    end: float | None = None
    id: str = ""
    worker: str = ""
    # The last T record (None: no tick written), every T record, and the F records (a
    # resume after a freeze).
    last_tick: float | None = None
    thaws: list[float] = field(default_factory=list)
    ticks: list[float] = field(default_factory=list)

    def seen_after(self, moment: float) -> list[float]:
        """Every moment after `moment` it was seen running: its ticks and its end."""
        ticks = self.ticks or ([self.last_tick] if self.last_tick is not None else [])
        ends = [self.end] if self.end is not None else []
        return [at for at in [*ticks, *ends] if at > moment]

    @property
    def last_seen(self) -> float:
        """The last moment the run was seen running, freezes aside: end, tick or start."""
        return max(
            self.start,
            self.end if self.end is not None else self.start,
            self.last_tick if self.last_tick is not None else self.start,
        )

    @property
    def last_record(self) -> float:
        """The last moment anything of it was written, thaws included."""
        return max([self.last_seen, *self.thaws])


class _Writer:
    """This process's appender and its ticker thread."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.lock = threading.Lock()
        self.running: set[str] = set()
        # When the ticker last woke (monotonic): a run that ends long after it was frozen.
        self.beat = time.monotonic()
        self.ticker = threading.Thread(target=self._tick, name="chaos-ticker", daemon=True)
        self.ticker.start()

    def write(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())

    def _tick(self) -> None:
        asked = time.monotonic() + TICK
        while True:
            time.sleep(max(0.0, asked - time.monotonic()))
            late = time.monotonic() - asked
            asked = time.monotonic() + TICK
            self.beat = time.monotonic()
            with self.lock:
                running = list(self.running)
            now = time.time()
            for execution in running:
                if late > FREEZE_GAP:
                    self.write(f"F {execution} {now:.6f} {late:.3f}")
                else:
                    self.write(f"T {execution} {now:.6f}")


_writers: dict[tuple[int, str], _Writer] = {}


def _writer() -> _Writer | None:
    """This process's writer (a forked slot gets its own, never its parent's thread)."""
    path = os.environ.get(LOG_VARIABLE)
    if not path:
        return None
    key = (os.getpid(), path)
    if key not in _writers:
        _writers.clear()
        _writers[key] = _Writer(path)
    return _writers[key]


@contextmanager
def recorded(task_id: str, attempt: int) -> Iterator[None]:
    """Log the start, tick while the body runs, log the end (also when it raises).

    A killed process logs no end; its last tick bounds when it was last alive.
    """
    writer = _writer()
    if writer is None:
        yield
        return
    execution = uuid.uuid4().hex[:16]
    worker = os.environ.get(WORKER_VARIABLE, "-")
    writer.write(f"S {execution} {task_id} {attempt} {os.getpid()} {worker} {time.time():.6f}")
    with writer.lock:
        writer.running.add(execution)
    try:
        yield
    finally:
        with writer.lock:
            writer.running.discard(execution)
        # Woken from a freeze before the ticker could say so: say it first.
        late = time.monotonic() - writer.beat - TICK
        if late > FREEZE_GAP:
            writer.write(f"F {execution} {time.time():.6f} {late:.3f}")
        writer.write(f"E {execution} {time.time():.6f}")


def parse(lines: Iterator[str] | list[str]) -> dict[str, list[Execution]]:
    """Task id -> its executions in start order, from the log's lines (torn lines skipped)."""
    by_id: dict[str, Execution] = {}
    tasks: dict[str, list[Execution]] = {}
    for line in lines:
        parts = line.split()
        try:
            if parts[0] == "S" and len(parts) == 7:
                run = Execution(
                    attempt=int(parts[3]),
                    pid=int(parts[4]),
                    start=float(parts[6]),
                    id=parts[1],
                    worker=parts[5],
                )
                by_id[run.id] = run
                tasks.setdefault(parts[2], []).append(run)
            elif parts[0] in ("T", "E", "F") and parts[1] in by_id:
                run, at = by_id[parts[1]], float(parts[2])
                if parts[0] == "T":
                    run.last_tick = max(run.last_tick or at, at)
                    run.ticks.append(at)
                elif parts[0] == "E":
                    run.end = at
                else:
                    run.thaws.append(at)
        except (IndexError, ValueError):
            continue
    for runs in tasks.values():
        runs.sort(key=lambda run: run.start)
    return tasks


def read(path: Path) -> dict[str, list[Execution]]:
    """Every execution the log at `path` holds (none when there is no log)."""
    try:
        with path.open() as log:
            return parse(iter(log))
    except FileNotFoundError:
        return {}


class Tail:
    """Follows a growing log: which executions each worker has open, and when it started one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.partial = ""
        # Worker -> start times of its executions; execution -> [worker, task, last seen]
        # while open (a killed run never logs its end: its last tick tells it is gone).
        self.starts: dict[str, list[float]] = {}
        self.open: dict[str, tuple[str, str, float]] = {}

    def poll(self) -> None:
        """Read what was appended since the last call."""
        try:
            with self.path.open() as log:
                log.seek(self.offset)
                chunk = log.read()
                self.offset = log.tell()
        except FileNotFoundError:
            return
        lines = (self.partial + chunk).split("\n")
        self.partial = lines.pop()
        for line in lines:
            try:
                self._take(line.split())
            except ValueError:
                continue

    def _take(self, parts: list[str]) -> None:
        if len(parts) == 7 and parts[0] == "S":
            self.starts.setdefault(parts[5], []).append(float(parts[6]))
            self.open[parts[1]] = (parts[5], parts[2], float(parts[6]))
        elif len(parts) >= 3 and parts[0] == "E":
            self.open.pop(parts[1], None)
        elif len(parts) >= 3 and parts[1] in self.open:
            worker, task, _ = self.open[parts[1]]
            self.open[parts[1]] = (worker, task, float(parts[2]))

    def first_start_after(self, worker: str, moment: float) -> float | None:
        """When `worker` first started an execution after `moment` (epoch), if it has."""
        later = [at for at in self.starts.get(worker, []) if at >= moment]
        return min(later) if later else None

    def running_on(self, worker: str, now: float) -> list[str]:
        """Tasks with an execution on `worker` that was seen running within the last second."""
        return [
            task
            for each, task, seen in self.open.values()
            if each == worker and now - seen < 4 * TICK
        ]
