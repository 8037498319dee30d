"""Every transition tried from every status: the new status, or a refusal that changes nothing."""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable

import pytest

from scheduler_core.domain import (
    InvalidTransition,
    SchedulerError,
    StaleTask,
    Task,
    TaskStatus,
)
from scheduler_core.domain.progress import Progress
from scheduler_core.domain.records import CLAIM_DROPPED
from tests.unit.domain.builders import (
    LATER,
    LEASE,
    NOW,
    POLICY,
    WORKER,
    WORKFLOW_ID,
    assert_unchanged,
    claimed,
    error,
    new_task,
    rng,
    task_in,
)

S = TaskStatus
Outcome = TaskStatus | type[SchedulerError]
Move = Callable[[Task], None]

WAITING = (S.SCHEDULED, S.READY, S.RETRYING)
# A blocked workflow step is cancelled like a waiting task, but never claimed.
CANCELLABLE = (*WAITING, S.BLOCKED)


def _stale(task: Task) -> int:
    return task.attempt - 1


def _unstarted(task: Task) -> Task:
    """The task as if its attempt's code had not begun (no start stamped)."""
    task.attempt_started_at = None
    return task


def _fail(task: Task, attempt: int) -> None:
    task.fail(error(attempt), attempt=attempt, now=NOW, policy=POLICY, rng=rng())


# Each move with the statuses it succeeds from (and where it leads) or fails from with an
# error other than InvalidTransition; every status not listed refuses with InvalidTransition.
TABLE: dict[str, tuple[Move, dict[TaskStatus, Outcome]]] = {
    "claim": (
        lambda t: t.claim("worker-2", now=NOW, lease=LEASE),
        # Scheduled and retrying tasks built at NOW are not due yet.
        {S.READY: S.RUNNING},
    ),
    "claim_when_due": (
        lambda t: t.claim("worker-2", now=LATER, lease=LEASE),
        dict.fromkeys(WAITING, S.RUNNING),
    ),
    "succeed": (
        lambda t: t.succeed(1, attempt=t.attempt, now=NOW),
        {S.RUNNING: S.SUCCEEDED},
    ),
    "succeed_stale": (
        lambda t: t.succeed(1, attempt=_stale(t), now=NOW),
        {S.RUNNING: StaleTask},
    ),
    "fail": (lambda t: _fail(t, t.attempt), {S.RUNNING: S.RETRYING}),
    "fail_stale": (lambda t: _fail(t, _stale(t)), {S.RUNNING: StaleTask}),
    "cancel": (lambda t: t.cancel(now=NOW), dict.fromkeys(CANCELLABLE, S.CANCELLED)),
    "cancel_with_attempt": (
        lambda t: t.cancel(now=NOW, attempt=t.attempt),
        dict.fromkeys((*CANCELLABLE, S.RUNNING), S.CANCELLED),
    ),
    "cancel_with_stale_attempt": (
        # Only a running task is fenced; a waiting one has no worker to be stale.
        lambda t: t.cancel(now=NOW, attempt=_stale(t)),
        {**dict.fromkeys(CANCELLABLE, S.CANCELLED), S.RUNNING: StaleTask},
    ),
    "cancel_upstream": (lambda t: t.cancel_upstream("a", now=NOW), {S.BLOCKED: S.CANCELLED}),
    "release": (lambda t: t.release(now=NOW), {S.BLOCKED: S.READY}),
    # Only a step cancelled upstream comes back; task_in's cancelled task was cancelled itself.
    "rearm": (lambda t: t.rearm(parents=1, now=NOW), {}),
    "hold_for_parents": (
        # Only a new task becomes a step; it records no move (it is created blocked).
        lambda t: t.hold_for_parents(WORKFLOW_ID, "k", 1),
        {S.READY: S.BLOCKED, S.SCHEDULED: S.BLOCKED, S.BLOCKED: S.BLOCKED},
    ),
    "request_cancel": (lambda t: t.request_cancel(now=NOW), {S.RUNNING: S.RUNNING}),
    "rescue_expired": (
        lambda t: t.rescue(now=LATER, policy=POLICY, rng=rng()),
        {S.RUNNING: S.RETRYING},
    ),
    "rescue_lease_holds": (lambda t: t.rescue(now=NOW, policy=POLICY, rng=rng()), {}),
    # The holder hands back only a claim whose code never began (tested below); a begun one
    # is the rescue's.
    "hand_back_begun": (lambda t: t.hand_back(attempt=t.attempt, now=NOW), {}),
    "promote": (
        # Scheduled and retrying tasks built at NOW are not due yet.
        lambda t: t.promote(now=NOW),
        {},
    ),
    "promote_when_due": (
        lambda t: t.promote(now=LATER),
        {S.SCHEDULED: S.READY, S.RETRYING: S.READY},
    ),
    "run_now": (
        lambda t: t.run_now(now=NOW),
        {S.SCHEDULED: S.READY, S.RETRYING: S.READY},
    ),
    "retry_now": (
        lambda t: t.retry_now(now=NOW),
        {S.FAILED: S.READY, S.CANCELLED: S.READY},
    ),
    "extend_lease": (
        lambda t: t.extend_lease(attempt=t.attempt, now=NOW, lease=LEASE),
        {S.RUNNING: S.RUNNING},
    ),
    "mark_started": (
        lambda t: t.mark_started(attempt=t.attempt, now=NOW),
        {S.RUNNING: S.RUNNING},
    ),
    "stamp_enqueued": (
        # Only a new task due at once takes the storage's time of its write.
        lambda t: t.stamp_enqueued(LATER),
        {S.READY: S.READY},
    ),
    # Needs a result_ttl that ran out (test_result_expiry.py); task_in's tasks have none.
    "expire_result": (lambda t: t.expire_result(now=LATER), {}),
    "extend_lease_stale": (
        lambda t: t.extend_lease(attempt=_stale(t), now=NOW, lease=LEASE),
        {S.RUNNING: StaleTask},
    ),
    "snooze": (lambda t: t.snooze(5, attempt=t.attempt, now=NOW), {S.RUNNING: S.SCHEDULED}),
    "snooze_stale": (lambda t: t.snooze(5, attempt=_stale(t), now=NOW), {S.RUNNING: StaleTask}),
    "discard": (
        lambda t: t.discard(error(t.attempt), attempt=t.attempt, now=NOW),
        {S.RUNNING: S.FAILED},
    ),
    "discard_stale": (
        lambda t: t.discard(error(t.attempt), attempt=_stale(t), now=NOW),
        {S.RUNNING: StaleTask},
    ),
    "report_progress": (
        lambda t: t.report_progress(Progress.reported(1), attempt=t.attempt),
        {S.RUNNING: S.RUNNING},
    ),
    "report_progress_stale": (
        lambda t: t.report_progress(Progress.reported(1), attempt=_stale(t)),
        {S.RUNNING: StaleTask},
    ),
}

CASES = [(move, status) for move in TABLE for status in TaskStatus]


@pytest.mark.parametrize(("move_name", "status"), CASES, ids=[f"{m}-{s}" for m, s in CASES])
def test_move_from_status(move_name: str, status: TaskStatus) -> None:
    move, outcomes = TABLE[move_name]
    expected = outcomes.get(status, InvalidTransition)
    task = task_in(status)
    before = copy.deepcopy(task)

    if isinstance(expected, TaskStatus):
        move(task)
        assert task.status is expected
        logged = task.pending_transitions[len(before.pending_transitions) :]
        # Extending a lease or stamping the enqueue time is bookkeeping, not a move;
        # everything else leaves one record.
        bookkeeping = move_name in (
            "extend_lease",
            "mark_started",
            "report_progress",
            "stamp_enqueued",
            "hold_for_parents",
        )
        want = [] if bookkeeping else [(status, expected)]
        assert [(t.from_status, t.to_status) for t in logged] == want
    else:
        with pytest.raises(expected):
            move(task)
        assert_unchanged(task, before)


def test_every_transition_method_is_in_the_table() -> None:
    queries = {
        "create",
        "validate",
        "is_terminal",
        "can_retry",
        "is_due",
        "lease_expired",
        "is_new_and_due_at_once",
    }
    public = {n for n, v in vars(Task).items() if inspect.isfunction(v) and not n.startswith("_")}
    methods = public - queries

    untried = {m for m in methods if not any(k == m or k.startswith(f"{m}_") for k in TABLE)}
    assert methods >= {"claim", "fail", "rescue", "retry_now"}
    assert not untried


def test_an_unstarted_claim_handed_back_is_ready_at_once_and_not_counted_as_dropped() -> None:
    task = _unstarted(task_in(S.RUNNING))
    dropped = task.dropped_claims

    task.hand_back(attempt=task.attempt, now=NOW)

    assert (task.status, task.attempt, task.worker_id) == (S.READY, 0, None)
    assert task.dropped_claims == dropped


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (lambda t: setattr(t, "attempt", t.attempt + 1), StaleTask),
        (lambda t: setattr(t, "cancel_requested", True), InvalidTransition),
    ],
    ids=["stale attempt", "cancel asked"],
)
def test_a_hand_back_is_refused_for_a_stale_attempt_or_a_cancel(
    change: Callable[[Task], None], refusal: type[SchedulerError]
) -> None:
    task = _unstarted(task_in(S.RUNNING))
    attempt = task.attempt
    change(task)
    before = copy.deepcopy(task)

    with pytest.raises(refusal):
        task.hand_back(attempt=attempt, now=NOW)
    assert_unchanged(task, before)


LOGGED_MOVES: list[tuple[TaskStatus, Move, TaskStatus, str, int, str]] = [
    # from, move, to, actor, attempt, reason
    (S.READY, lambda t: t.claim("worker-2", now=NOW, lease=LEASE), S.RUNNING, "worker-2", 1, ""),
    (S.RUNNING, lambda t: t.succeed(None, attempt=1, now=NOW), S.SUCCEEDED, WORKER, 1, ""),
    (S.RUNNING, lambda t: _fail(t, 1), S.RETRYING, WORKER, 1, "builtins.ValueError"),
    (
        S.RUNNING,
        lambda t: t.rescue(now=LATER, policy=POLICY, rng=rng()),
        S.RETRYING,
        "rescuer",
        1,
        "WorkerLost",
    ),
    (S.READY, lambda t: t.cancel(now=NOW, actor="alice"), S.CANCELLED, "alice", 0, "cancelled"),
    (
        S.RUNNING,
        lambda t: t.cancel(now=NOW, attempt=1, actor=WORKER),
        S.CANCELLED,
        WORKER,
        1,
        "cancelled",
    ),
    (
        S.RUNNING,
        lambda t: t.request_cancel(now=NOW, actor="alice"),
        S.RUNNING,
        "alice",
        1,
        "cancel requested",
    ),
    (
        S.RUNNING,
        lambda t: _unstarted(t).hand_back(attempt=1, now=NOW),
        S.READY,
        WORKER,
        1,
        f"{CLAIM_DROPPED} (worker {WORKER} handed it back unstarted)",
    ),
    (S.RETRYING, lambda t: t.promote(now=LATER), S.READY, "promoter", 1, "due"),
    (S.SCHEDULED, lambda t: t.run_now(now=NOW, actor="alice"), S.READY, "alice", 0, "run now"),
    (S.FAILED, lambda t: t.retry_now(now=NOW, actor="alice"), S.READY, "alice", 1, "retried"),
]


@pytest.mark.parametrize(
    ("from_status", "move", "to_status", "actor", "attempt", "reason"), LOGGED_MOVES
)
def test_move_appends_one_transition_record(
    from_status: TaskStatus,
    move: Move,
    to_status: TaskStatus,
    actor: str,
    attempt: int,
    reason: str,
) -> None:
    task = task_in(from_status)
    logged_before = len(task.pending_transitions)

    move(task)

    assert len(task.pending_transitions) == logged_before + 1
    record = task.pending_transitions[-1]
    assert record.task_id == task.id
    assert (record.from_status, record.to_status) == (from_status, to_status)
    assert (record.actor, record.attempt, record.reason) == (actor, attempt, reason)
    assert record.at == (LATER if actor in ("rescuer", "promoter") else NOW)


def test_history_of_a_task_is_a_chain_from_creation() -> None:
    task = claimed(new_task())
    _fail(task, 1)
    claimed(task, now=LATER)
    task.succeed("done", attempt=2, now=LATER)

    assert [(t.from_status, t.to_status, t.attempt) for t in task.pending_transitions] == [
        (S.READY, S.RUNNING, 1),
        (S.RUNNING, S.RETRYING, 1),
        (S.RETRYING, S.RUNNING, 2),
        (S.RUNNING, S.SUCCEEDED, 2),
    ]


def test_request_cancel_is_idempotent() -> None:
    task = task_in(S.RUNNING)
    task.request_cancel(now=NOW, actor="alice")
    once = copy.deepcopy(task)

    task.request_cancel(now=LATER, actor="bob")

    assert task.cancel_requested
    assert task.status is S.RUNNING
    assert_unchanged(task, once)
    assert [t.reason for t in task.pending_transitions].count("cancel requested") == 1


def test_claim_records_the_worker_attempt_and_lease() -> None:
    task = claimed(new_task(), worker="worker-7")

    assert (task.attempt, task.worker_id, task.worker_ids) == (1, "worker-7", ["worker-7"])
    assert (task.started_at, task.finished_at) == (NOW, None)
    assert task.lease_expires_at == NOW + LEASE


def test_extend_lease_moves_the_lease_only() -> None:
    task = task_in(S.RUNNING)
    before = copy.deepcopy(task)

    task.extend_lease(attempt=1, now=NOW + LEASE / 2, lease=LEASE)

    assert task.lease_expires_at == NOW + LEASE / 2 + LEASE
    task.lease_expires_at = before.lease_expires_at
    assert_unchanged(task, before)


def test_promote_keeps_the_run_after_that_orders_claims() -> None:
    task = task_in(S.SCHEDULED)
    before = copy.deepcopy(task)
    due_at = task.run_after

    task.promote(now=due_at)

    assert (task.status, task.run_after) == (S.READY, due_at)
    assert task.is_due(due_at)
    task.status = before.status
    task.pending_transitions = before.pending_transitions
    assert_unchanged(task, before)


def test_a_step_cancelled_upstream_is_re_armed_once() -> None:
    task = task_in(S.BLOCKED)
    task.cancel_upstream("a", now=NOW)
    assert (task.upstream_failed, task.finished_at) == ("a", NOW)

    task.rearm(parents=2, now=LATER)

    assert (task.status, task.parents_left, task.upstream_failed) == (S.BLOCKED, 2, None)
    assert task.finished_at is None
    reasons = [(t.to_status, t.reason) for t in task.pending_transitions]
    assert reasons == [(S.CANCELLED, "upstream failed: a"), (S.BLOCKED, "upstream retried")]
    with pytest.raises(InvalidTransition):
        task.rearm(parents=1, now=LATER)


def test_a_re_armed_step_waits_for_at_least_one_parent() -> None:
    task = task_in(S.BLOCKED)
    task.cancel_upstream("a", now=NOW)
    before = copy.deepcopy(task)

    with pytest.raises(InvalidTransition):
        task.rearm(parents=0, now=LATER)
    assert_unchanged(task, before)


def test_a_step_with_no_parents_keeps_its_state() -> None:
    task = new_task()
    task.hold_for_parents(WORKFLOW_ID, "root", 0)
    assert (task.status, task.step_key, task.workflow_id) == (S.READY, "root", WORKFLOW_ID)
    with pytest.raises(InvalidTransition):
        task.hold_for_parents(WORKFLOW_ID, "root", -1)
