"""The invariant checker finds each kind of violation it exists for, and passes a clean run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chaos.invariants import check, database_truth, report, thaw_blips, uncharged_runs
from chaos.kinds import KINDS, SCHEDULE_NAME
from chaos.snapshot import ErrorRow, EventRow, Execution, Snapshot, TaskRow
from chaos.soak import Sample, growth
from chaos.transitions import legal_transitions
from scheduler_core.domain.records import CLAIM_DROPPED

T0 = 1_800_000_000.0


def add_task(
    snapshot: Snapshot,
    task_id: str,
    kind: str = "quick",
    *,
    status: str = "succeeded",
    attempt: int = 1,
    max_attempts: int = 25,
    run_after: float = T0,
    kwargs: dict[str, object] | None = None,
    unique_key: str | None = None,
    events: list[tuple[str, str, float, int]] | None = None,
    runs: list[tuple[int, float, float | None]] | None = None,
) -> None:
    """A task with its transitions (from, to, at, attempt) and executions (attempt, start, end).

    Without events and runs: one attempt that ran from T0 + 1 to T0 + 2 and succeeded.
    """
    snapshot.tasks.append(
        TaskRow(
            id=task_id,
            name=KINDS[kind].name,
            status=status,
            attempt=attempt,
            max_attempts=max_attempts,
            run_after=run_after,
            enqueued_at=T0,
            kwargs=kwargs or {},
            unique_key=unique_key,
        )
    )
    if events is None:
        events = [("ready", "running", T0 + 1, 1), ("running", "succeeded", T0 + 2, 1)]
    if runs is None:
        runs = [(1, T0 + 1.1, T0 + 1.9)]
    for from_status, to_status, at, number in events:
        reason = "cancelled" if to_status == "cancelled" else ""
        snapshot.events[task_id].append(EventRow(from_status, to_status, at, number, "w1", reason))
    for number, start, end in runs:
        snapshot.executions[task_id].append(Execution(number, 4242, start, end))


def violated(snapshot: Snapshot, **options: object) -> dict[str, int]:
    """Invariant -> number of violations, only those with any."""
    result = check(snapshot, **options)  # type: ignore[arg-type]
    return {name: len(found) for name, found in result.items() if found}


def test_a_clean_history_passes() -> None:
    snapshot = Snapshot()
    add_task(snapshot, "a")
    add_task(
        snapshot,
        "b",
        "flaky",
        attempt=2,
        events=[
            ("ready", "running", T0 + 1, 1),
            ("running", "retrying", T0 + 2, 1),
            ("retrying", "running", T0 + 3, 2),
            ("running", "succeeded", T0 + 4, 2),
        ],
        runs=[(1, T0 + 1.1, T0 + 1.5), (2, T0 + 3.1, T0 + 3.5)],
    )
    # Killed mid-run: no end row; the rescue closed attempt 1 before attempt 2 began.
    add_task(
        snapshot,
        "c",
        "slow",
        attempt=2,
        events=[
            ("ready", "running", T0 + 1, 1),
            ("running", "retrying", T0 + 12, 1),
            ("retrying", "running", T0 + 13, 2),
            ("running", "succeeded", T0 + 15, 2),
        ],
        runs=[(1, T0 + 1.1, None), (2, T0 + 13.1, T0 + 14)],
    )
    snapshot.errors["b"].append(ErrorRow(1, "RuntimeError", "flaky"))
    snapshot.errors["c"].append(ErrorRow(1, "WorkerLost", "lease expired"))
    assert violated(snapshot, submitted={"a", "b", "c"}) == {}
    assert "violations" in report(check(snapshot))


def test_a_lost_task_and_a_task_never_stored_are_found() -> None:
    snapshot = Snapshot()
    add_task(
        snapshot,
        "a",
        status="running",
        events=[("ready", "running", T0 + 1, 1)],
        runs=[(1, T0 + 1.1, None)],
    )
    assert violated(snapshot, submitted={"a", "missing"}) == {"no task lost (all terminal)": 2}


def test_a_must_succeed_task_that_failed_is_found() -> None:
    snapshot = Snapshot()
    add_task(
        snapshot,
        "a",
        status="failed",
        attempt=25,
        events=[("ready", "running", T0 + 1, 25), ("running", "failed", T0 + 2, 25)],
        runs=[],
    )
    assert violated(snapshot)["outcome as designed"] == 1


def test_a_duplicated_success_is_found() -> None:
    snapshot = Snapshot()
    add_task(
        snapshot,
        "a",
        attempt=2,
        events=[
            ("ready", "running", T0 + 1, 1),
            ("running", "succeeded", T0 + 2, 1),
            ("succeeded", "running", T0 + 3, 2),
            ("running", "succeeded", T0 + 4, 2),
        ],
        runs=[(1, T0 + 1.1, T0 + 1.9), (2, T0 + 3.1, T0 + 3.9)],
    )
    found = violated(snapshot)
    assert found["no task succeeded twice"] == 1
    # succeeded -> running is no move the domain makes.
    assert found["every transition legal"] == 1


def test_a_success_without_a_finished_run_is_found() -> None:
    snapshot = Snapshot()
    add_task(snapshot, "a", runs=[(1, T0 + 1.1, None)])
    assert violated(snapshot) == {"every success ran": 1}


def test_overlapping_executions_are_found() -> None:
    snapshot = Snapshot()
    add_task(
        snapshot,
        "a",
        attempt=2,
        events=[
            ("ready", "running", T0 + 1, 1),
            ("running", "retrying", T0 + 2, 1),
            ("retrying", "running", T0 + 3, 2),
            ("running", "succeeded", T0 + 9, 2),
        ],
        # Attempt 1's code was still running (an orphan) when attempt 2 started.
        runs=[(1, T0 + 1.1, T0 + 5), (2, T0 + 3.1, T0 + 8)],
    )
    assert violated(snapshot) == {"no overlapping executions": 1}


def killed_then_retried(tick: float | None, thaws: list[float] | None = None) -> Snapshot:
    """Attempt 1 killed (no end; last tick at `tick`), attempt 2 from T0 + 3.1 to T0 + 8."""
    snapshot = Snapshot()
    add_task(
        snapshot,
        "a",
        attempt=2,
        events=[
            ("ready", "running", T0 + 1, 1),
            ("running", "retrying", T0 + 2.5, 1),
            ("retrying", "running", T0 + 3, 2),
            ("running", "succeeded", T0 + 9, 2),
        ],
        runs=[(1, T0 + 1.1, None), (2, T0 + 3.1, T0 + 8)],
    )
    snapshot.executions["a"][0].last_tick = tick
    snapshot.executions["a"][0].thaws = thaws or []
    return snapshot


def test_a_killed_run_overlaps_when_it_ticked_after_the_retry_started() -> None:
    # Its closing transition came before the retry: only its own ticks tell it lived on.
    assert violated(killed_then_retried(T0 + 4))["no overlapping executions"] == 1
    assert violated(killed_then_retried(T0 + 2)) == {}


def test_a_frozen_run_that_resumed_only_to_die_or_end_is_a_thaw_blip_not_an_overlap() -> None:
    # Frozen from T0 + 2 while attempt 2 ran; resumed at T0 + 5 and died before a tick.
    snapshot = killed_then_retried(T0 + 2, thaws=[T0 + 5])
    assert violated(snapshot) == {}
    assert len(thaw_blips(snapshot)) == 1
    # Resumed and ticked once, or returned, at once: still a blip.
    assert violated(killed_then_retried(T0 + 5.2, thaws=[T0 + 5])) == {}
    ended = killed_then_retried(T0 + 2, thaws=[T0 + 5])
    ended.executions["a"][0].end = T0 + 5.01
    assert violated(ended) == {}
    assert len(thaw_blips(ended)) == 1


def test_a_thawed_run_that_went_on_or_ran_beside_the_retry_before_its_freeze_overlaps() -> None:
    went_on = killed_then_retried(T0 + 6, thaws=[T0 + 5])
    went_on.executions["a"][0].ticks = [T0 + 1.5, T0 + 5.2, T0 + 6]
    assert violated(went_on)["no overlapping executions"] == 1
    # Seen running after the retry started, before it was frozen.
    beside = killed_then_retried(T0 + 5.2, thaws=[T0 + 5])
    beside.executions["a"][0].ticks = [T0 + 3.5, T0 + 5.2]
    assert violated(beside)["no overlapping executions"] == 1


def test_attempts_charged_without_a_run_and_runs_without_an_attempt_are_found() -> None:
    snapshot = Snapshot()
    # Claimed three times; attempt 2 was claimed and dropped without running.
    add_task(
        snapshot,
        "burnt",
        attempt=3,
        events=[
            ("ready", "running", T0 + 1, 1),
            ("running", "retrying", T0 + 2, 1),
            ("retrying", "running", T0 + 3, 2),
            ("running", "retrying", T0 + 4, 2),
            ("retrying", "running", T0 + 5, 3),
            ("running", "succeeded", T0 + 6, 3),
        ],
        runs=[(1, T0 + 1.1, T0 + 1.5), (3, T0 + 5.1, T0 + 5.5)],
    )
    # Attempt 1 ran twice, one after the other: one run was never charged.
    add_task(snapshot, "twice", runs=[(1, T0 + 1.1, T0 + 1.3), (1, T0 + 1.5, T0 + 1.9)])
    # A cancelled task's claim that never ran is not counted.
    add_task(
        snapshot,
        "cancelled",
        "cancellable",
        status="cancelled",
        events=[("ready", "running", T0 + 1, 1), ("running", "cancelled", T0 + 2, 1)],
        runs=[],
    )
    assert violated(snapshot) == {"no attempt burnt by a claim that never ran": 1}
    assert [line.split()[0] for line in uncharged_runs(snapshot)] == ["twice"]


def test_an_attempt_given_back_is_claimed_again_under_its_number() -> None:
    snapshot = Snapshot()
    add_task(
        snapshot,
        "a",
        attempt=1,
        events=[
            ("ready", "running", T0 + 1, 1),
            ("running", "ready", T0 + 2, 1),
            ("ready", "running", T0 + 3, 1),
            ("running", "succeeded", T0 + 4, 1),
        ],
        runs=[(1, T0 + 3.1, T0 + 3.5)],
    )
    assert violated(snapshot) == {"every transition legal": 1}
    events = snapshot.events["a"]
    events[1] = EventRow("running", "ready", T0 + 2, 1, "w1", f"{CLAIM_DROPPED} (worker lost)")
    assert violated(snapshot) == {}


def test_too_many_attempts_are_found() -> None:
    snapshot = Snapshot()
    events = [("ready", "running", T0 + 1, 1), ("running", "retrying", T0 + 2, 1)]
    events += [("retrying", "running", T0 + 3, 2), ("running", "retrying", T0 + 4, 2)]
    events += [("retrying", "running", T0 + 5, 3), ("running", "failed", T0 + 6, 3)]
    add_task(
        snapshot,
        "a",
        "always_fails",
        status="failed",
        attempt=3,
        max_attempts=2,
        events=events,
        runs=[(1, T0 + 1.1, T0 + 1.2), (2, T0 + 3.1, T0 + 3.2), (3, T0 + 5.1, T0 + 5.2)],
    )
    assert violated(snapshot) == {"attempts <= max_attempts": 1}


def test_a_final_failure_before_the_last_attempt_is_found() -> None:
    snapshot = Snapshot()
    failed = [("ready", "running", T0 + 1, 1), ("running", "failed", T0 + 2, 1)]
    add_task(snapshot, "a", "always_fails", status="failed", max_attempts=3, events=failed)
    # The same for a kind built to fail without retrying is no violation.
    add_task(snapshot, "b", "bad_result", status="failed", max_attempts=5, events=failed)
    assert violated(snapshot) == {"no final failure before last attempt": 1}


def test_an_execution_before_run_after_is_found() -> None:
    snapshot = Snapshot()
    add_task(snapshot, "a", "delayed", run_after=T0 + 60, kwargs={"not_before": T0 + 60})
    # A retried task may have started its earlier attempt before the backoff's run_after.
    add_task(
        snapshot,
        "b",
        "flaky",
        status="cancelled",
        run_after=T0 + 60,
        events=[
            ("ready", "running", T0 + 1, 1),
            ("running", "retrying", T0 + 2, 1),
            ("retrying", "cancelled", T0 + 3, 1),
        ],
    )
    found = violated(snapshot)
    assert found["no execution before run_after"] == 1
    assert set(found) == {"no execution before run_after", "outcome as designed"}


def test_an_illegal_transition_and_a_broken_chain_are_found() -> None:
    snapshot = Snapshot()
    add_task(
        snapshot,
        "a",
        events=[("ready", "succeeded", T0 + 2, 0)],
        runs=[],
        attempt=0,
    )
    add_task(
        snapshot,
        "b",
        events=[("ready", "running", T0 + 1, 1), ("retrying", "running", T0 + 2, 2)],
        attempt=2,
        status="running",
    )
    found = violated(snapshot)
    assert found["every transition legal"] == 2


def test_a_run_after_a_cancel_is_found() -> None:
    snapshot = Snapshot()
    add_task(
        snapshot,
        "a",
        "cancellable",
        status="cancelled",
        attempt=2,
        events=[
            ("ready", "running", T0 + 1, 1),
            ("running", "cancelled", T0 + 2, 1),
            ("cancelled", "ready", T0 + 3, 1),
            ("ready", "running", T0 + 4, 2),
            ("running", "cancelled", T0 + 5, 2),
        ],
        runs=[(1, T0 + 1.1, T0 + 1.5), (2, T0 + 4.1, T0 + 4.5)],
    )
    assert violated(snapshot) == {"no run after cancel": 1}


def _tick(snapshot: Snapshot, name: str, at: float) -> None:
    due = datetime.fromtimestamp(at, UTC).isoformat()
    add_task(snapshot, name, "tick", unique_key=f"schedule:{SCHEDULE_NAME}:{due}")


def test_a_duplicated_tick_and_a_missing_tick_are_found() -> None:
    snapshot = Snapshot()
    for n, at in enumerate([T0, T0 + 3, T0 + 3, T0 + 9]):
        _tick(snapshot, f"t{n}", at)
    snapshot.schedules[SCHEDULE_NAME] = (3, T0 + 9)
    result = check(snapshot)["one task per schedule tick"]
    assert len(result) == 2
    assert "fired 2 tasks" in result[0]
    assert "has no task" in result[1]


def test_a_schedule_that_never_fired_is_found_when_ticks_were_expected() -> None:
    snapshot = Snapshot()
    snapshot.schedules[SCHEDULE_NAME] = (3, None)
    assert violated(snapshot) == {}
    assert violated(snapshot, ticks_expected=5) == {"one task per schedule tick": 1}


def test_metrics_that_disagree_with_the_database_are_found() -> None:
    snapshot = Snapshot()
    add_task(snapshot, "a")
    metrics = {name: float(value) for name, value in database_truth(snapshot).items()}
    assert violated(snapshot, metrics=metrics) == {}
    metrics["succeeded"] += 1
    metrics["rescued"] = 3
    assert violated(snapshot, metrics=metrics) == {"metrics agree with the database": 2}


def test_a_claim_the_worker_handed_back_counts_as_started_but_not_as_rescued() -> None:
    snapshot = Snapshot()
    add_task(
        snapshot,
        "a",
        attempt=1,
        events=[
            ("ready", "running", T0 + 1, 1),
            ("running", "ready", T0 + 2, 1),
            ("ready", "running", T0 + 3, 1),
            ("running", "ready", T0 + 4, 1),
            ("ready", "running", T0 + 5, 1),
            ("running", "succeeded", T0 + 6, 1),
        ],
        runs=[(1, T0 + 5.1, T0 + 5.5)],
    )
    events = snapshot.events["a"]
    events[1] = EventRow("running", "ready", T0 + 2, 1, "rescuer", f"{CLAIM_DROPPED} (lost)")
    events[3] = EventRow("running", "ready", T0 + 4, 1, "w1", f"{CLAIM_DROPPED} (handed back)")

    truth = database_truth(snapshot)

    assert violated(snapshot) == {}
    assert (truth["started"], truth["rescued"]) == (3, 1)


def test_database_is_locked_in_an_error_is_found() -> None:
    snapshot = Snapshot()
    add_task(snapshot, "a")
    snapshot.errors["a"].append(ErrorRow(1, "OperationalError", "database is locked"))
    assert violated(snapshot)["no 'database is locked' in task errors"] == 1


@pytest.mark.parametrize(
    "edge",
    [("ready", "running"), ("retrying", "running"), ("running", "cancelled"), ("failed", "ready")],
)
def test_the_legal_transitions_come_from_the_domain(edge: tuple[str, str]) -> None:
    assert edge in legal_transitions()


@pytest.mark.parametrize(
    "edge",
    [
        ("succeeded", "running"),
        ("ready", "succeeded"),
        ("cancelled", "running"),
        ("ready", "failed"),
    ],
)
def test_moves_the_domain_never_makes_are_illegal(edge: tuple[str, str]) -> None:
    assert edge not in legal_transitions()


def test_the_soak_judges_growth_after_the_warm_up_only() -> None:
    start_up = [Sample(at, 100.0 + at * 20, 4) for at in (0, 5, 10, 15, 20, 25)]
    flat = [Sample(30.0 + n * 5, 700.0 + n * 0.1, 6) for n in range(10)]
    assert growth(start_up) is None
    rss, connections = growth(start_up + flat) or (0.0, None)
    assert rss == pytest.approx(0.7)
    assert connections == 0
    leaking = [Sample(30.0 + n * 5, 700.0 + n * 10, 6 + n) for n in range(10)]
    rss, connections = growth(start_up + leaking) or (0.0, None)
    assert rss == pytest.approx(70.0)
    assert connections == 9
