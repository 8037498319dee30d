"""The invariant checker: what must hold after any run, however many processes were killed.

Each check returns one line per violation (naming the task), so a report can show counts
and examples. A run passes only when every list is empty.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from scheduler_core.domain import WORKER_LOST
from scheduler_core.domain.records import CLAIM_DROPPED

from .execlog import THAW_GRACE
from .kinds import SCHEDULE_NAME, kind_of
from .snapshot import EventRow, Execution, Snapshot, TaskRow, epoch
from .transitions import legal_transitions
from .workflow_invariants import check_workflows

TERMINAL = frozenset({"succeeded", "failed", "cancelled"})
# Clocks are read by different processes (the task, the database) on one machine; allow
# for rounding of stored timestamps, not for any real reordering.
SLACK = 0.002
# Reasons a cancel confirmed by the worker or an operator records (not a failed attempt).
CANCEL_REASON = "cancelled"
LOCKED = "database is locked"
# The states a task is created in: workflow steps that wait for others start blocked.
START_STATES = ("scheduled", "ready", "blocked")

Violations = dict[str, list[str]]


def check_outcomes(snapshot: Snapshot, submitted: set[str] | None) -> Violations:
    """No task lost: every task terminal, ending as its kind allows."""
    lost: list[str] = []
    wrong: list[str] = []
    known = {task.id for task in snapshot.tasks}
    lost += [f"{task_id} submitted but not stored" for task_id in (submitted or set()) - known]
    for task in snapshot.tasks:
        kind = kind_of(task.name)
        allowed = kind.allowed if kind else frozenset({"succeeded"})
        if task.upstream_failed is not None:
            # A workflow step whose upstream failed is cancelled, whatever its kind.
            allowed = frozenset({"cancelled"})
        if task.status not in TERMINAL:
            lost.append(f"{task.id} {task.name} is still {task.status}")
        elif task.status not in allowed:
            wrong.append(f"{task.id} {task.name} ended {task.status}, expected {sorted(allowed)}")
    return {"no task lost (all terminal)": lost, "outcome as designed": wrong}


def check_success_once(snapshot: Snapshot) -> Violations:
    """No task succeeded twice, and no success without a finished run of that attempt."""
    twice: list[str] = []
    phantom: list[str] = []
    for task in snapshot.tasks:
        successes = [e for e in snapshot.events[task.id] if e.to_status == "succeeded"]
        if len(successes) > 1:
            twice.append(f"{task.id} succeeded {len(successes)} times")
        for success in successes:
            runs = snapshot.executions[task.id]
            if not any(r.attempt == success.attempt and r.end is not None for r in runs):
                phantom.append(f"{task.id} succeeded attempt {success.attempt} that never ran")
    return {"no task succeeded twice": twice, "every success ran": phantom}


def overlapping_pairs(snapshot: Snapshot) -> list[tuple[str, Execution, Execution, bool]]:
    """(task, earlier run, later run, thaw only) for every two runs of a task alive at once.

    A run is alive from its start to its last tick or its end: a killed run logs no end, and
    its last tick is when it was last seen running. "Thaw only" marks a pair where every
    sign of life of the earlier run after the later one started came within THAW_GRACE of
    a thaw of the earlier run's process: it was frozen (SIGSTOP) while the later one ran,
    and resumed only to end or be killed at once.
    """
    found: list[tuple[str, Execution, Execution, bool]] = []
    for task_id, runs in snapshot.executions.items():
        ordered = sorted(runs, key=lambda run: run.start)
        for index, earlier in enumerate(ordered):
            for later in ordered[index + 1 :]:
                if later.start < earlier.last_seen - SLACK:
                    seen = earlier.seen_after(later.start + SLACK)
                    found.append((task_id, earlier, later, _within_thaws(seen, earlier.thaws)))
                elif later.start < earlier.last_record - SLACK:
                    found.append((task_id, earlier, later, True))
    return found


def _within_thaws(moments: list[float], thaws: list[float]) -> bool:
    """True when there are thaws and every moment falls in the grace after one of them."""
    return bool(thaws) and all(
        any(thaw - SLACK <= at <= thaw + THAW_GRACE for thaw in thaws) for at in moments
    )


def check_overlaps(snapshot: Snapshot) -> Violations:
    """No two executions of one task alive at once (a resume-and-die after a freeze aside)."""
    found = [
        f"{task_id} attempt {later.attempt} (pid {later.pid}, worker {later.worker}) started "
        f"{earlier.last_seen - later.start:.3f}s before attempt {earlier.attempt} "
        f"(pid {earlier.pid}, worker {earlier.worker}) was last seen running"
        for task_id, earlier, later, thaw_only in overlapping_pairs(snapshot)
        if not thaw_only
    ]
    return {"no overlapping executions": found}


def thaw_blips(snapshot: Snapshot) -> list[str]:
    """Runs frozen while their retry started, that resumed only to end or die at once.

    Not counted as overlaps: the frozen process ran no code while frozen, and no lease or
    watchdog can stop a process that is not running; on resume it ran for at most
    THAW_GRACE (the watchdog's race with the task's own thread). Reported beside the
    invariants, since what it did in that instant could still be a side effect.
    """
    return [
        f"{task_id} attempt {earlier.attempt} (worker {earlier.worker}) resumed "
        f"{max(earlier.thaws) - later.start:.3f}s after attempt {later.attempt} started, "
        f"then ended or died within {THAW_GRACE}s"
        for task_id, earlier, later, thaw_only in overlapping_pairs(snapshot)
        if thaw_only
    ]


def burnt_attempts(task: TaskRow, runs: list[Execution]) -> tuple[list[int], int]:
    """(attempt numbers charged to `task` that never started, runs no attempt was charged for).

    Charged attempts are 1..task.attempt; each started run should have used one of them.
    A cancelled task is left out: a claim cancelled before it started is no lost attempt.
    """
    if task.status == "cancelled":
        return [], 0
    ran = {run.attempt for run in runs}
    burnt = [number for number in range(1, task.attempt + 1) if number not in ran]
    uncharged = len(runs) - (task.attempt - len(burnt))
    return burnt, max(0, uncharged)


def check_burnt(snapshot: Snapshot) -> Violations:
    """Every attempt a task was charged ran."""
    burnt: list[str] = []
    for task in snapshot.tasks:
        numbers, _ = burnt_attempts(task, snapshot.executions[task.id])
        burnt += [f"{task.id} {task.name} attempt {number} never ran" for number in numbers]
    return {"no attempt burnt by a claim that never ran": burnt}


def uncharged_runs(snapshot: Snapshot) -> list[str]:
    """Tasks with more runs than attempts that ran: a run whose attempt was given back.

    Reported beside the invariants, not as a violation: a worker stamps an attempt's start
    shortly after its code begins, so one killed in between leaves a run the rescuer takes
    for a claim that never started. Fencing by holder and attempt keeps the outcome safe;
    what it costs is a run the attempt counter does not know of.
    """
    found: list[str] = []
    for task in snapshot.tasks:
        _, extra = burnt_attempts(task, snapshot.executions[task.id])
        if extra:
            found.append(f"{task.id} {task.name}: {extra} run(s) beyond its attempt count")
    return found


def check_attempts(snapshot: Snapshot) -> Violations:
    """attempts <= max_attempts, and no final failure before the last attempt."""
    over: list[str] = []
    early: list[str] = []
    for task in snapshot.tasks:
        ran = max((r.attempt for r in snapshot.executions[task.id]), default=0)
        if task.attempt > task.max_attempts or ran > task.max_attempts:
            over.append(f"{task.id} made {max(task.attempt, ran)} attempts of {task.max_attempts}")
        kind = kind_of(task.name)
        designed = kind is not None and kind.non_retryable
        if task.status == "failed" and task.attempt < task.max_attempts and not designed:
            early.append(
                f"{task.id} {task.name} failed after {task.attempt} of {task.max_attempts} attempts"
            )
    return {"attempts <= max_attempts": over, "no final failure before last attempt": early}


def check_run_after(snapshot: Snapshot) -> Violations:
    """No execution started before the task's run_after (or before it was enqueued)."""
    found: list[str] = []
    for task in snapshot.tasks:
        events = snapshot.events[task.id]
        not_before = float(task.kwargs.get("not_before", task.enqueued_at))
        # The stored run_after governs the last attempt unless a failure set it afterwards.
        backed_off = any(e.to_status == "retrying" and e.attempt == task.attempt for e in events)
        for run in snapshot.executions[task.id]:
            floor = max(not_before, task.enqueued_at)
            if run.attempt == task.attempt and not backed_off:
                floor = max(floor, task.run_after)
            if run.start < floor - SLACK:
                found.append(
                    f"{task.id} attempt {run.attempt} started {floor - run.start:.3f}s "
                    "before its run_after"
                )
    return {"no execution before run_after": found}


def _given_back(event: EventRow) -> bool:
    """True for a claim given back because its attempt never started: by the rescue
    (Task.rescue) or by the worker that gave it up (Task.hand_back)."""
    return event.from_status == "running" and event.reason.startswith(CLAIM_DROPPED)


def _chain_problem(task: TaskRow, events: list[EventRow], legal: frozenset[tuple[str, str]]) -> str:
    status: str | None = None
    attempt = 0
    for event in events:
        if (event.from_status, event.to_status) not in legal:
            return f"illegal {event.from_status} -> {event.to_status} ({event.reason})"
        if status is None and event.from_status not in START_STATES:
            return f"first transition leaves {event.from_status}, not a start state"
        if status is not None and event.from_status != status:
            return f"chain broken: {status} then {event.from_status} -> {event.to_status}"
        claimed = event.to_status == "running" and event.from_status != "running"
        if claimed and event.attempt != attempt + 1:
            return f"claim logged attempt {event.attempt} after attempt {attempt}"
        attempt = max(attempt, event.attempt)
        if _given_back(event):
            # The claim never started: the next claim takes its attempt number again.
            attempt -= 1
        status = event.to_status
    if status is not None and status != task.status:
        return f"log ends at {status} but the task is {task.status}"
    if status is None and task.status not in START_STATES:
        return f"no transitions logged, yet the task is {task.status}"
    return ""


def check_transitions(snapshot: Snapshot) -> Violations:
    """Every recorded transition is legal, and the log is one connected chain per task."""
    legal = legal_transitions()
    found: list[str] = []
    for task in snapshot.tasks:
        problem = _chain_problem(task, snapshot.events[task.id], legal)
        if problem:
            found.append(f"{task.id}: {problem}")
    return {"every transition legal": found}


def check_cancels(snapshot: Snapshot) -> Violations:
    """A task never starts a new attempt after a cancel (request) was recorded."""
    found: list[str] = []
    for task in snapshot.tasks:
        cancels = [
            e
            for e in snapshot.events[task.id]
            if e.reason in ("cancel requested", CANCEL_REASON) or e.to_status == "cancelled"
        ]
        if not cancels:
            continue
        first = cancels[0]
        for run in snapshot.executions[task.id]:
            if run.attempt > first.attempt:
                found.append(
                    f"{task.id} ran attempt {run.attempt} after a cancel at attempt {first.attempt}"
                )
    return {"no run after cancel": found}


def check_ticks(
    snapshot: Snapshot, schedule: str = SCHEDULE_NAME, expect_at_least: int = 0
) -> Violations:
    """Every due time of the schedule produced exactly one task, with no gap on its grid."""
    interval, last = snapshot.schedules.get(schedule, (None, None))
    prefix = f"schedule:{schedule}:"
    keys = Counter(
        task.unique_key
        for task in snapshot.tasks
        if task.unique_key and task.unique_key.startswith(prefix)
    )
    found = [f"{key} fired {count} tasks" for key, count in keys.items() if count > 1]
    if len(keys) < expect_at_least:
        found.append(f"schedule {schedule} fired {len(keys)} times, expected {expect_at_least}+")
    if interval is None or last is None:
        return {"one task per schedule tick": found}
    fired = sorted(epoch(key.removeprefix(prefix)) for key in keys)
    if not fired:
        found.append(f"schedule {schedule} fired at {last} but no task was stored")
        return {"one task per schedule tick": found}
    steps = round((last - fired[0]) / interval)
    grid = {round(fired[0] + n * interval, 3) for n in range(steps + 1)}
    have = {round(moment, 3) for moment in fired}
    found += [f"tick due {_iso(m)} has no task" for m in sorted(grid - have)]
    found += [f"tick {_iso(m)} is off the {interval}s grid" for m in sorted(have - grid)]
    return {"one task per schedule tick": found}


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat()


def database_truth(snapshot: Snapshot) -> dict[str, int]:
    """The counters /metrics should report, computed from the rows themselves."""
    statuses = Counter(task.status for task in snapshot.tasks)
    errors = [error for errors in snapshot.errors.values() for error in errors]
    cancelled_by_failure = sum(
        1
        for events in snapshot.events.values()
        for e in events
        if e.from_status == "running" and e.to_status == "cancelled" and e.reason != CANCEL_REASON
    )
    given_back = [e for events in snapshot.events.values() for e in events if _given_back(e)]
    # A worker hands back claims it gave up unstarted itself; only the rescuer's count as
    # rescued.
    rescued_back = sum(1 for e in given_back if e.actor == "rescuer")
    return {
        "enqueued": len(snapshot.tasks),
        # Claims: the attempts made, and the claims given back unstarted.
        "started": sum(task.attempt for task in snapshot.tasks) + len(given_back),
        "succeeded": statuses["succeeded"],
        "failed": statuses["failed"],
        "cancelled": statuses["cancelled"],
        "rescued": sum(1 for error in errors if error.exception_type == WORKER_LOST) + rescued_back,
        # Every error ends its attempt as retrying, failed or cancelled.
        "retried": len(errors) - statuses["failed"] - cancelled_by_failure,
        **{f"status:{status}": count for status, count in statuses.items()},
    }


def check_metrics(snapshot: Snapshot, metrics: Mapping[str, float] | None) -> Violations:
    """The /metrics counters agree with the database."""
    if metrics is None:
        return {}
    truth = database_truth(snapshot)
    found = [
        f"{name}: /metrics says {metrics.get(name, 0):g}, the database {value}"
        for name, value in sorted(truth.items())
        if metrics.get(name, 0) != value
    ]
    found += [
        f"{name}: /metrics says {value:g}, the database has none"
        for name, value in sorted(metrics.items())
        if name not in truth and value
    ]
    return {"metrics agree with the database": found}


def check_locked(snapshot: Snapshot) -> Violations:
    """No 'database is locked' escaped into a task's errors."""
    found = [
        f"{task_id} attempt {error.attempt}: {error.message[:80]}"
        for task_id, errors in snapshot.errors.items()
        for error in errors
        if LOCKED in error.message
    ]
    return {"no 'database is locked' in task errors": found}


CHECKS: list[Callable[[Snapshot], Violations]] = [
    check_success_once,
    check_overlaps,
    check_burnt,
    check_attempts,
    check_run_after,
    check_transitions,
    check_cancels,
    check_locked,
    check_workflows,
]


def check(
    snapshot: Snapshot,
    *,
    submitted: set[str] | None = None,
    metrics: Mapping[str, float] | None = None,
    ticks_expected: int = 0,
) -> Violations:
    """Run every check; invariant -> violations (empty lists when it held)."""
    result = check_outcomes(snapshot, submitted)
    for each in CHECKS:
        result.update(each(snapshot))
    result.update(check_ticks(snapshot, expect_at_least=ticks_expected))
    result.update(check_metrics(snapshot, metrics))
    return result


def report(result: Mapping[str, list[str]], examples: int = 3) -> str:
    """The invariant table: one line per invariant with its violation count and examples."""
    width = max(len(name) for name in result)
    lines = [f"{'invariant'.ljust(width)}  violations", f"{'-' * width}  ----------"]
    for name, found in result.items():
        lines.append(f"{name.ljust(width)}  {len(found)}")
        lines += [f"    {line}" for line in found[:examples]]
    return "\n".join(lines)
