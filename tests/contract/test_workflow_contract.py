"""Workflows on every adapter: release, cascade, re-arm, results, refusal before storing."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from scheduler_core.domain import (
    InvalidTransition,
    TaskInvalid,
    TaskNotFound,
    TaskStatus,
    UnknownTask,
)
from scheduler_core.services import StepRequest

from .kits import StorageKit
from .workflow_steps import (
    LEASE,
    POLICY,
    claim,
    enqueue,
    fail,
    releases,
    run_step,
    service,
    statuses,
    step,
    succeed,
)

B = TaskStatus.BLOCKED
R = TaskStatus.READY
S = TaskStatus.SUCCEEDED
C = TaskStatus.CANCELLED


def test_roots_are_ready_and_the_rest_blocked(kit: StorageKit) -> None:
    run = enqueue(kit, step("a"), step("b", "a"), step("c", "a", "b"))

    assert statuses(kit, run) == {"a": R, "b": B, "c": B}
    assert kit.workflows.step(run.id, "c").parents_left == 2
    assert kit.workflows.get_run(run.id).name == "wf"
    assert len(kit.workflows.edges(run.id)) == 3
    # A blocked step is never claimed.
    claimed = kit.queue.claim("w9", ["default"], 10, LEASE)
    assert [t.step_key for t in claimed] == ["a"]


@pytest.mark.parametrize("set_based", [True, False], ids=["finish_many", "update"])
def test_a_chain_releases_each_step_as_its_parent_succeeds(
    kit: StorageKit, set_based: bool
) -> None:
    run = enqueue(kit, step("a"), step("b", "a"), step("c", "b"))

    succeed(kit, claim(kit, run, "a"), {"n": 1}, set_based=set_based)
    assert statuses(kit, run) == {"a": S, "b": R, "c": B}
    assert releases(kit, run.step("b").id) == ["parents succeeded"]
    succeed(kit, claim(kit, run, "b"), set_based=set_based)
    assert statuses(kit, run) == {"a": S, "b": S, "c": R}


def test_a_fan_in_waits_for_every_parent(kit: StorageKit) -> None:
    run = enqueue(kit, step("a"), step("b"), step("c"), step("d", "a", "b", "c"))

    run_step(kit, run, "a")
    run_step(kit, run, "c")
    assert kit.workflows.step(run.id, "d").status is B
    assert kit.workflows.step(run.id, "d").parents_left == 1
    run_step(kit, run, "b")
    assert kit.workflows.step(run.id, "d").status is R
    assert releases(kit, run.step("d").id) == ["parents succeeded"]


def test_a_failure_for_good_cancels_everything_below_naming_the_step(kit: StorageKit) -> None:
    run = enqueue(kit, step("a", max_attempts=1), step("b", "a"), step("c", "b"), step("x"))

    fail(kit, claim(kit, run, "a"))

    assert statuses(kit, run) == {"a": TaskStatus.FAILED, "b": C, "c": C, "x": R}
    for key in ("b", "c"):
        assert kit.workflows.step(run.id, key).upstream_failed == "a"
        reasons = [t.reason for t in kit.tasks.transitions(run.step(key).id)]
        assert reasons == ["upstream failed: a"]
    assert service(kit).get(run.id).status == "running"


def test_a_failed_attempt_that_will_be_retried_releases_nothing(kit: StorageKit) -> None:
    run = enqueue(kit, step("a", max_attempts=3), step("b", "a"))

    fail(kit, claim(kit, run, "a"), retryable=True)

    assert statuses(kit, run) == {"a": TaskStatus.RETRYING, "b": B}


def test_a_cancelled_parent_cancels_its_children(kit: StorageKit) -> None:
    run = enqueue(kit, step("a"), step("b", "a"))

    service_ = service(kit)
    service_.cancel(run.id, actor="op")

    assert statuses(kit, run) == {"a": C, "b": C}
    assert service_.get(run.id).status == "cancelled"


def test_ignore_failure_of_counts_a_failed_parent_as_done(kit: StorageKit) -> None:
    run = enqueue(
        kit,
        step("a", max_attempts=1),
        step("b"),
        step("c", "a", "b", ignore_failure_of=("a",)),
    )

    fail(kit, claim(kit, run, "a"))
    assert kit.workflows.step(run.id, "c").status is B
    run_step(kit, run, "b")

    assert kit.workflows.step(run.id, "c").status is R


def test_retrying_a_failed_step_re_arms_the_steps_below(kit: StorageKit) -> None:
    run = enqueue(
        kit, step("a", max_attempts=1), step("b", "a"), step("c", "b"), step("d", "a", "c")
    )
    fail(kit, claim(kit, run, "a"))
    assert statuses(kit, run) == {"a": TaskStatus.FAILED, "b": C, "c": C, "d": C}

    report = service(kit).retry_failed(run.id, actor="op")

    assert report.changed == 1
    assert statuses(kit, run) == {"a": R, "b": B, "c": B, "d": B}
    assert kit.workflows.step(run.id, "d").parents_left == 2
    assert kit.workflows.step(run.id, "b").upstream_failed is None
    run_step(kit, run, "a")
    run_step(kit, run, "b")
    assert statuses(kit, run) == {"a": S, "b": S, "c": R, "d": B}
    run_step(kit, run, "c")
    assert statuses(kit, run) == {"a": S, "b": S, "c": S, "d": R}
    run_step(kit, run, "d")
    assert service(kit).get(run.id).status == "succeeded"


def test_a_step_cancelled_upstream_is_not_retried_alone(kit: StorageKit) -> None:
    run = enqueue(kit, step("a", max_attempts=1), step("b", "a"))
    fail(kit, claim(kit, run, "a"))

    task = kit.workflows.step(run.id, "b")
    with pytest.raises(InvalidTransition, match="retry that step"):
        task.retry_now(now=kit.now())


def test_cancelling_a_run_asks_running_steps_to_stop(kit: StorageKit) -> None:
    run = enqueue(kit, step("a"), step("b", "a"), step("c"))
    running = claim(kit, run, "a")

    report = service(kit).cancel(run.id, actor="op")

    assert report.changed == 3
    assert kit.tasks.get(running.id).cancel_requested
    assert statuses(kit, run) == {"a": TaskStatus.RUNNING, "b": C, "c": C}
    reasons = [t.reason for t in kit.tasks.transitions(run.step("b").id)]
    assert reasons == ["cancelled"], "cancelled for the run, not for its parent"


def test_a_step_reads_its_parents_results(kit: StorageKit) -> None:
    run = enqueue(kit, step("fetch"), step("report", "fetch"))
    run_step(kit, run, "fetch", {"rows": [1, 2, 3]})

    assert service(kit).upstream_result(run.id, "fetch") == {"rows": [1, 2, 3]}
    with pytest.raises(InvalidTransition, match="not succeeded"):
        service(kit).upstream_result(run.id, "report")


@pytest.mark.parametrize(
    ("steps", "error", "match"),
    [
        ([step("a", "b"), step("b", "a")], TaskInvalid, "cycle"),
        ([step("a", "nope")], TaskInvalid, r"steps\['a'\].after: no step has key 'nope'"),
        ([step("a"), step("a")], TaskInvalid, "another step has this key"),
        ([StepRequest(key="a", task="not.registered")], UnknownTask, r"steps\['a'\]"),
        ([step("a", priority=1000)], TaskInvalid, r"steps\['a'\].priority"),
        ([step("a"), step("b", ignore_failure_of=("a",))], TaskInvalid, "not in after"),
    ],
    ids=["cycle", "unknown-key", "duplicate", "unknown-task", "bad-field", "ignore-not-after"],
)
def test_a_bad_graph_is_refused_before_anything_is_stored(
    kit: StorageKit, steps: list[StepRequest], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        enqueue(kit, *steps)

    assert kit.workflows.list_runs() == []
    assert sum(kit.tasks.count_by_status().values()) == 0


def test_pruning_keeps_the_steps_of_a_run_still_going(kit: StorageKit) -> None:
    going = enqueue(kit, step("a"), step("b", "a"), name="going")
    done = enqueue(kit, step("x"), name="done")
    run_step(kit, going, "a", "kept")
    run_step(kit, done, "x")
    later = kit.now() + timedelta(days=1)
    finished = frozenset({S, TaskStatus.FAILED, C})

    assert kit.tasks.prune(statuses=finished, finished_before=later, limit=10) == 1

    assert kit.tasks.get(going.step("a").id).result == "kept"
    with pytest.raises(TaskNotFound):
        kit.tasks.get(done.step("x").id)


def test_runs_are_listed_by_name_and_by_the_status_their_steps_add_up_to(
    kit: StorageKit,
) -> None:
    going = enqueue(kit, step("a"), step("b", "a"), name="going")
    done = enqueue(kit, step("x"), name="done")
    run_step(kit, done, "x")
    broken = enqueue(kit, step("a", max_attempts=1), step("b", "a"), name="broken")
    fail(kit, claim(kit, broken, "a"))
    stopped = enqueue(kit, step("a"), name="stopped")
    service(kit).cancel(stopped.id)
    runs = service(kit)

    def names(name: str | None = None, status: str | None = None) -> list[str]:
        return [summary.run.name for summary in runs.list_runs(name=name, status=status)]

    assert names() == ["stopped", "broken", "done", "going"]
    assert names(status="running") == ["going"]
    assert names(status="succeeded") == ["done"]
    assert names(status="failed") == ["broken"]
    assert names(status="cancelled") == ["stopped"]
    assert names(name="done", status="running") == []
    [summary] = runs.list_runs(name="going")
    assert (summary.status, summary.counts) == ("running", {R: 1, B: 1})
    assert going.id == summary.id


def test_a_parent_rescued_to_failed_cancels_its_children_and_one_given_back_releases_nothing(
    kit: StorageKit,
) -> None:
    run = enqueue(kit, step("lost", max_attempts=1), step("dropped"), step("c", "lost", "dropped"))
    lost = claim(kit, run, "lost")
    lost.mark_started(attempt=1, now=kit.now())
    kit.tasks.update(lost, expected_status=TaskStatus.RUNNING, expected_attempt=1)
    dropped = claim(kit, run, "dropped", worker="w2")
    later = kit.now() + LEASE + timedelta(seconds=1)

    # The rescuer's writes, as TaskRescuer makes them: a claim that never started is given
    # back (no outcome); a started last attempt fails for good (an outcome).
    for task in (dropped, lost):
        holder = task.worker_id
        task.rescue(now=later, policy=POLICY, rng=random.Random(0))
        kit.tasks.update(
            task, expected_status=TaskStatus.RUNNING, expected_attempt=1, expected_worker=holder
        )

    assert statuses(kit, run) == {"lost": TaskStatus.FAILED, "dropped": R, "c": C}
    assert kit.workflows.step(run.id, "c").upstream_failed == "lost"
