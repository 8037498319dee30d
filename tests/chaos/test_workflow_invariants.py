"""The workflow invariants: a clean diamond passes; early, repeated and unfinished steps fail."""

from __future__ import annotations

from chaos.invariants import check
from chaos.kinds import KINDS
from chaos.snapshot import EventRow, Execution, Snapshot, TaskRow

T0 = 1_800_000_000.0
RUN = "r" * 32


def step(
    snapshot: Snapshot,
    key: str,
    *,
    status: str = "succeeded",
    events: list[tuple[str, str, float, int, str]],
    runs: list[tuple[int, float, float]] = (),  # type: ignore[assignment]
    upstream_failed: str | None = None,
    kind: str = "quick",
) -> str:
    """A step of RUN with its transitions (from, to, at, attempt, reason) and executions."""
    task_id = key.ljust(32, "0")
    snapshot.tasks.append(
        TaskRow(
            id=task_id,
            name=KINDS[kind].name,
            status=status,
            attempt=max((e[3] for e in events), default=0),
            max_attempts=25 if kind == "quick" else 3,
            run_after=T0,
            enqueued_at=T0,
            kwargs={},
            unique_key=None,
            workflow_id=RUN,
            step_key=key,
            upstream_failed=upstream_failed,
        )
    )
    for from_status, to_status, at, attempt, reason in events:
        snapshot.events[task_id].append(EventRow(from_status, to_status, at, attempt, "w", reason))
    for attempt, start, end in runs:
        snapshot.executions[task_id].append(Execution(attempt, 42, start, end))
    return task_id


def ran(at: float, attempt: int = 1) -> list[tuple[str, str, float, int, str]]:
    return [
        ("ready", "running", at, attempt, ""),
        ("running", "succeeded", at + 1, attempt, ""),
    ]


def released(at: float) -> list[tuple[str, str, float, int, str]]:
    return [("blocked", "ready", at, 0, "parents succeeded")]


def workflow_violations(snapshot: Snapshot) -> dict[str, int]:
    result = check(snapshot)
    names = {
        "no step before its parents succeeded",
        "each step released at most once",
        "every run ended complete or cancelled with a reason",
        "every transition legal",
        "outcome as designed",
    }
    return {name: len(found) for name, found in result.items() if found and name in names}


def diamond(snapshot: Snapshot, d_starts: float) -> None:
    a = step(snapshot, "a", events=ran(T0), runs=[(1, T0 + 0.1, T0 + 0.9)])
    b = step(snapshot, "b", events=released(T0 + 1) + ran(T0 + 2), runs=[(1, T0 + 2.1, T0 + 2.9)])
    c = step(snapshot, "c", events=released(T0 + 1) + ran(T0 + 4), runs=[(1, T0 + 4.1, T0 + 4.9)])
    d = step(
        snapshot,
        "d",
        events=released(T0 + 5) + ran(d_starts),
        runs=[(1, d_starts + 0.1, d_starts + 0.9)],
    )
    snapshot.edges += [(a, b, False), (a, c, False), (b, d, False), (c, d, False)]


def test_a_clean_diamond_passes() -> None:
    snapshot = Snapshot()
    diamond(snapshot, d_starts=T0 + 6)

    assert workflow_violations(snapshot) == {}


def test_a_step_that_ran_before_a_parent_succeeded_is_found() -> None:
    snapshot = Snapshot()
    # d claimed at T0 + 3, while c only succeeded at T0 + 5.
    diamond(snapshot, d_starts=T0 + 3)

    assert workflow_violations(snapshot) == {"no step before its parents succeeded": 1}


def test_a_step_released_twice_is_found() -> None:
    snapshot = Snapshot()
    a = step(snapshot, "a", events=ran(T0))
    b = step(
        snapshot,
        "b",
        events=released(T0 + 1) + [("ready", "cancelled", T0 + 2, 0, "cancelled")],
        status="cancelled",
    )
    snapshot.events[b].append(EventRow("cancelled", "blocked", T0 + 3, 0, "w", "x"))
    snapshot.events[b].append(EventRow("blocked", "ready", T0 + 4, 0, "w", "again"))
    snapshot.events[b].append(EventRow("ready", "cancelled", T0 + 5, 0, "w", "cancelled"))
    snapshot.edges.append((a, b, False))

    assert workflow_violations(snapshot)["each step released at most once"] == 1


def test_a_cascade_names_a_step_that_failed_and_anything_else_is_found() -> None:
    snapshot = Snapshot()
    fails = [
        ("ready", "running", T0, 1, ""),
        ("running", "retrying", T0 + 1, 1, "RuntimeError"),
        ("retrying", "running", T0 + 2, 2, ""),
        ("running", "retrying", T0 + 3, 2, "RuntimeError"),
        ("retrying", "running", T0 + 4, 3, ""),
        ("running", "failed", T0 + 5, 3, "RuntimeError"),
    ]
    a = step(snapshot, "a", status="failed", events=fails, kind="always_fails")
    cancelled = [("blocked", "cancelled", T0 + 5, 0, "upstream failed: a")]
    b = step(snapshot, "b", status="cancelled", events=cancelled, upstream_failed="a")
    wrong = step(snapshot, "w", status="cancelled", events=cancelled, upstream_failed="b2")
    stuck = step(snapshot, "s", status="blocked", events=[])
    snapshot.edges += [(a, b, False), (a, wrong, False), (a, stuck, False)]

    found = workflow_violations(snapshot)

    # The step blaming a step that did not fail, and the step still blocked.
    assert found["every run ended complete or cancelled with a reason"] == 2


def test_an_ignored_failure_lets_the_step_run() -> None:
    snapshot = Snapshot()
    fails = [("ready", "running", T0, 1, ""), ("running", "failed", T0 + 1, 1, "RuntimeError")]
    a = step(snapshot, "a", status="failed", events=fails, kind="always_fails")
    b = step(snapshot, "b", events=released(T0 + 1) + ran(T0 + 2), runs=[(1, T0 + 2.1, T0 + 2.5)])
    snapshot.edges.append((a, b, True))

    found = workflow_violations(snapshot)

    assert "no step before its parents succeeded" not in found
