"""What must hold for workflow runs after a chaos run, however many workers were killed.

- No step started before the steps it waits for succeeded: its claims, and its code's
  executions, come after every parent's success (a parent it ignores the failure of may
  instead have failed or been cancelled for good).
- A step was released at most once (the runs never retry, so nothing re-arms).
- Every run ended: all its steps terminal, each cancelled step with a reason, and one
  cancelled by its upstream names a step of its run that failed or was cancelled.
"""

from __future__ import annotations

from collections import defaultdict

from .snapshot import EventRow, Snapshot, TaskRow

TERMINAL = frozenset({"succeeded", "failed", "cancelled"})
# Side-table times are read by the task's process, transitions by the database, on one
# machine: allow for the rounding of stored timestamps.
SLACK = 0.002

Violations = dict[str, list[str]]


def _last(events: list[EventRow], to: str) -> float | None:
    times = [event.at for event in events if event.to_status == to]
    return max(times) if times else None


def check_workflows(snapshot: Snapshot) -> Violations:
    """The workflow invariants, one list of violations each."""
    by_id = {task.id: task for task in snapshot.tasks}
    parents: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for parent, child, ignore in snapshot.edges:
        parents[child].append((parent, ignore))
    early: list[str] = []
    twice: list[str] = []
    unfinished: list[str] = []
    for task in snapshot.tasks:
        if task.workflow_id is None:
            continue
        events = snapshot.events[task.id]
        early += _early(task, events, parents[task.id], by_id, snapshot)
        releases = [e for e in events if e.from_status == "blocked" and e.to_status == "ready"]
        if len(releases) > 1:
            twice.append(f"{task.id} ({task.step_key}) released {len(releases)} times")
        unfinished += _unfinished(task, events, by_id)
    return {
        "no step before its parents succeeded": early,
        "each step released at most once": twice,
        "every run ended complete or cancelled with a reason": unfinished,
    }


def _early(
    task: TaskRow,
    events: list[EventRow],
    parents: list[tuple[str, bool]],
    by_id: dict[str, TaskRow],
    snapshot: Snapshot,
) -> list[str]:
    claims = [e.at for e in events if e.to_status == "running" and e.from_status != "running"]
    starts = [run.start for run in snapshot.executions[task.id]]
    if not claims and not starts:
        return []
    first = min([*claims, *starts])
    found = []
    for parent_id, ignore in parents:
        parent = by_id.get(parent_id)
        if parent is None:
            found.append(f"{task.id} ({task.step_key}) ran; its parent {parent_id} is gone")
            continue
        ended = _last(snapshot.events[parent_id], parent.status)
        fine = parent.status == "succeeded" or (ignore and parent.status in TERMINAL)
        if not fine or ended is None or first + SLACK < ended:
            found.append(
                f"{task.id} ({task.step_key}) started at {first:.3f}; parent {parent.step_key} "
                f"is {parent.status} since {ended}"
            )
    return found


def _unfinished(task: TaskRow, events: list[EventRow], by_id: dict[str, TaskRow]) -> list[str]:
    if task.status not in TERMINAL:
        return [f"{task.id} ({task.step_key}) of run {task.workflow_id} is still {task.status}"]
    if task.status != "cancelled":
        return []
    last = events[-1] if events else None
    if last is None or not last.reason:
        return [f"{task.id} ({task.step_key}) was cancelled without a reason"]
    if task.upstream_failed is None:
        return []
    culprits = [
        t
        for t in by_id.values()
        if t.workflow_id == task.workflow_id and t.step_key == task.upstream_failed
    ]
    if not culprits or culprits[0].status not in ("failed", "cancelled"):
        return [f"{task.id} ({task.step_key}) blames {task.upstream_failed}, which did not fail"]
    return []
