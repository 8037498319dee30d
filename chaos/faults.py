"""The faults a chaos run injects, what each one cost, and how fast its worker came back.

Every injection is one `Fault`. After the run, each piece of evidence the checker found (an
overlap, a burnt attempt, a lost task, ...) names the worker involved and a moment; it is
charged to the latest fault that hit that worker around then, so the closing table says
what each kind of fault did, not only what the run did as a whole.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .execlog import Tail
from .invariants import burnt_attempts, overlapping_pairs, thaw_blips
from .snapshot import EventRow, Snapshot

# The kinds, in the order the table shows them; the first two are the runner's old faults.
DESCRIPTIONS = {
    "kill": "SIGKILL of a random supervisor (its slots must die with it)",
    "term": "SIGTERM of a random supervisor (it drains)",
    "pause-worker": "SIGSTOP of the whole worker for 2-3x the lease, then SIGCONT",
    "pause-supervisor": "SIGSTOP of the supervisor alone for 1.5-2x the lease, then SIGCONT",
    "kill-supervisor": "SIGKILL of the supervisor alone while a 5-30 s task runs there",
    "term-group": "SIGTERM to the worker's whole process group",
    "partition": "the worker's network namespace cut off for 2x the lease",
}
NEW_KINDS = ("pause-worker", "pause-supervisor", "kill-supervisor", "term-group", "partition")
COLUMNS = (
    "lost",
    "overlaps",
    "double successes",
    "attempts burnt",
    "uncharged runs",
    "illegal transitions",
    "slot crashes",
    "thaw blips",
)
SLOT_CRASHED = "scheduler_core.SlotCrashed"
OTHER = "other (cut connections, none)"


@dataclass(slots=True)
class Fault:
    """One injection: which worker, when, and when (and by whom) work started again."""

    kind: str
    worker: str
    at: float
    # When the fault was lifted: SIGCONT, the link restored, the replacement started.
    restored: float | None = None
    # The worker whose next started task counts as recovery (itself, or its replacement).
    successor: str = ""
    recovered: float | None = None
    # Seconds the slots of a SIGKILLed supervisor lived on (None: not measured).
    slots_outlived: float | None = None
    exit_code: int | None = None

    @property
    def recovery(self) -> float | None:
        """Seconds from lifting the fault to the worker's next started task."""
        if self.restored is None or self.recovered is None:
            return None
        return max(0.0, self.recovered - self.restored)


@dataclass(slots=True)
class Evidence:
    """One problem found after the run, with the worker and moment it belongs to."""

    column: str
    worker: str
    at: float
    task: str


@dataclass(slots=True)
class FaultLog:
    """Every fault of a run, in order."""

    lease: float
    faults: list[Fault] = field(default_factory=list)

    def add(self, fault: Fault) -> Fault:
        """Record an injection."""
        self.faults.append(fault)
        return fault

    def counts(self) -> Counter[str]:
        """Injections per kind."""
        return Counter(fault.kind for fault in self.faults)

    def settled(self, worker: str, now: float, grace: float) -> bool:
        """True when the latest fault on `worker` was lifted and it recovered (or `grace`
        seconds passed without): only then may the run pick that worker for another fault.

        Only the latest fault counts. An earlier fault of the same worker, long recovered,
        says nothing about the one it is under now: judged by it, a worker still frozen by
        SIGSTOP was killed or paused again, and its own pause then looked unrecovered.
        """
        latest = next((f for f in reversed(self.faults) if f.worker == worker), None)
        if latest is None or latest.restored is None:
            return False
        return latest.recovered is not None or now - latest.restored > grace

    def note_recoveries(self, tail: Tail) -> None:
        """Fill in when each lifted fault's worker next started a task."""
        for fault in self.faults:
            if fault.recovered is None and fault.restored is not None and fault.successor:
                fault.recovered = tail.first_start_after(fault.successor, fault.restored)

    def charge(self, worker: str, at: float) -> str:
        """The kind of the fault a problem of `worker` at `at` belongs to (OTHER if none).

        The latest fault on that worker that began no later than a lease after `at` (a
        claim can be dropped because of a fault that comes up to a lease later), unless the
        worker had recovered from it more than three leases before `at`: a worker that
        never recovered keeps paying for its fault.
        """
        chosen: Fault | None = None
        for fault in self.faults:
            if fault.worker != worker or fault.at > at + self.lease:
                continue
            if chosen is None or fault.at > chosen.at:
                chosen = fault
        if chosen is None:
            return OTHER
        if chosen.recovered is not None and at > chosen.recovered + 3 * self.lease:
            return OTHER
        return chosen.kind


def _claims(events: list[EventRow]) -> dict[int, EventRow]:
    """Attempt -> the last claim (a move into running) that carried it."""
    found: dict[int, EventRow] = {}
    for event in events:
        if event.to_status == "running" and event.from_status != "running":
            found[event.attempt] = event
    return found


def evidence(
    snapshot: Snapshot, illegal: list[str], worker_of: Callable[[str], str]
) -> list[Evidence]:
    """Every problem the run left, each with the worker (runner tag) it belongs to."""
    found: list[Evidence] = []
    for task_id, earlier, later, thaw_only in overlapping_pairs(snapshot):
        column = "thaw blips" if thaw_only else "overlaps"
        found.append(Evidence(column, earlier.worker, later.start, task_id))
    illegal_ids = {line.split(":", 1)[0] for line in illegal}
    for task in snapshot.tasks:
        events = snapshot.events[task.id]
        claims = _claims(events)
        last_claim = events[-1] if events else None
        for event in reversed(events):
            if event.to_status == "running":
                last_claim = event
                break

        def by(event: EventRow | None, column: str, task_id: str = task.id) -> Evidence:
            worker = worker_of(event.actor) if event is not None else ""
            return Evidence(column, worker, event.at if event is not None else 0.0, task_id)

        burnt, uncharged = burnt_attempts(task, snapshot.executions[task.id])
        found += [by(claims.get(number), "attempts burnt") for number in burnt]
        runs = snapshot.executions[task.id]
        if uncharged and runs:
            found += [Evidence("uncharged runs", runs[-1].worker, runs[-1].start, task.id)]
            found[-1:] *= uncharged
        if task.status not in ("succeeded", "failed", "cancelled"):
            found.append(by(last_claim, "lost"))
        successes = [event for event in events if event.to_status == "succeeded"]
        for success in successes[1:]:
            found.append(by(claims.get(success.attempt), "double successes"))
        if task.id in illegal_ids:
            found.append(by(last_claim, "illegal transitions"))
        for error in snapshot.errors[task.id]:
            if error.exception_type == SLOT_CRASHED:
                # When the crash was recorded (the move out of running), by the claim's worker.
                claim = claims.get(error.attempt)
                crashed = next(
                    (
                        e
                        for e in events
                        if e.from_status == "running" and e.attempt == error.attempt
                    ),
                    claim,
                )
                item = by(claim, "slot crashes")
                item.at = crashed.at if crashed is not None else item.at
                found.append(item)
    return found


def worker_tags(snapshot: Snapshot, tag_of_pid: dict[int, str]) -> Callable[[str], str]:
    """Worker id -> the runner's tag of that worker process ('' when unknown)."""

    def tag(worker_id: str) -> str:
        pid = snapshot.worker_pids.get(worker_id)
        if pid is not None and pid in tag_of_pid:
            return tag_of_pid[pid]
        match = re.match(r"chaos-(\d+)(?!\d)", worker_id)
        return match.group(1) if match else ""

    return tag


def table(log: FaultLog, found: list[Evidence]) -> str:
    """Per fault kind: injected, each kind of problem charged to it, time to recover."""
    charged: dict[str, Counter[str]] = {}
    for item in found:
        kind = log.charge(item.worker, item.at) if item.worker else OTHER
        charged.setdefault(kind, Counter())[item.column] += 1
    kinds = [kind for kind in DESCRIPTIONS if log.counts()[kind] or kind in charged]
    if OTHER in charged:
        kinds.append(OTHER)
    header = ["fault", "injected", *COLUMNS, "recovery median / max (s)", "not recovered"]
    rows = [header]
    for kind in kinds:
        faults = [fault for fault in log.faults if fault.kind == kind]
        times = [fault.recovery for fault in faults if fault.recovery is not None]
        lifted = [fault for fault in faults if fault.restored is not None]
        recovery = f"{statistics.median(times):.1f} / {max(times):.1f}" if times else "-"
        rows.append(
            [
                kind,
                str(len(faults)),
                *(str(charged.get(kind, Counter())[column]) for column in COLUMNS),
                recovery,
                str(len(lifted) - len(times)),
            ]
        )
    widths = [max(len(row[n]) for row in rows) for n in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def slot_report(log: FaultLog) -> str:
    """How long the slots of SIGKILLed supervisors lived on (the bound is 1 s)."""
    measured = [
        fault.slots_outlived
        for fault in log.faults
        if fault.kind in ("kill", "kill-supervisor") and fault.slots_outlived is not None
    ]
    if not measured:
        return "slots after a supervisor SIGKILL: not measured"
    late = sum(1 for seconds in measured if seconds > 1.0)
    return (
        f"slots after a supervisor SIGKILL: gone after {max(measured):.2f}s at most "
        f"({len(measured)} kills); still alive after 1s: {late}"
    )


def thaw_report(snapshot: Snapshot) -> list[str]:
    """The thaw blips, for the report (not violations: see invariants.thaw_blips)."""
    return thaw_blips(snapshot)
