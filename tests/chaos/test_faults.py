"""Faults are counted per kind, and each problem is charged to the fault that caused it."""

from __future__ import annotations

from chaos.execlog import Execution
from chaos.faults import OTHER, Evidence, Fault, FaultLog, evidence, table, worker_tags
from chaos.kinds import KINDS
from chaos.snapshot import EventRow, Snapshot, TaskRow

T0 = 1_800_000_000.0


def test_a_problem_is_charged_to_the_latest_fault_on_its_worker_around_then() -> None:
    log = FaultLog(lease=10)
    log.add(Fault("pause-worker", "3", T0, restored=T0 + 25, successor="3", recovered=T0 + 26))
    log.add(Fault("pause-supervisor", "6", T0, restored=T0 + 15, successor="6"))
    log.add(Fault("kill", "3", T0 + 100, restored=T0 + 101))
    log.add(Fault("partition", "4", T0 + 5, restored=T0 + 25))
    assert log.charge("3", T0 + 20) == "pause-worker"
    # A claim up to a lease before the fault can be dropped because of it.
    assert log.charge("3", T0 - 5) == "pause-worker"
    assert log.charge("3", T0 + 95) == "kill"
    # Long after its worker recovered from it: not the fault's doing.
    assert log.charge("3", T0 + 70) == OTHER
    # A worker that never recovered keeps paying for its fault.
    assert log.charge("6", T0 + 500) == "pause-supervisor"
    assert log.charge("5", T0 + 20) == OTHER


def test_the_table_counts_injections_problems_and_recoveries_per_kind() -> None:
    log = FaultLog(lease=10)
    log.add(Fault("pause-worker", "3", T0, restored=T0 + 25, successor="3", recovered=T0 + 27))
    log.add(Fault("pause-worker", "2", T0 + 50, restored=T0 + 75, successor="2"))
    found = [Evidence("attempts burnt", "3", T0 + 26, "t1"), Evidence("overlaps", "", 0, "t2")]
    lines = table(log, found).splitlines()
    pause = next(line.split() for line in lines if line.startswith("pause-worker"))
    # injected 2; attempts burnt 1; recovery 2.0 / 2.0; one never recovered.
    assert pause[1] == "2" and pause[5] == "1"
    assert pause[-4:] == ["2.0", "/", "2.0", "1"]
    assert any(line.startswith(OTHER) for line in lines)


def test_evidence_names_the_worker_of_the_claim_or_the_run() -> None:
    snapshot = Snapshot()
    snapshot.tasks.append(TaskRow("t", KINDS["long"].name, "succeeded", 2, 25, T0, T0, {}, None))
    snapshot.tasks.append(TaskRow("u", KINDS["quick"].name, "succeeded", 2, 25, T0, T0, {}, None))
    for task_id in ("t", "u"):
        snapshot.events[task_id] += [
            EventRow("ready", "running", T0 + 1, 1, "chaos-3", ""),
            EventRow("running", "retrying", T0 + 12, 1, "maintenance", "lease expired"),
            EventRow("retrying", "running", T0 + 13, 2, "chaos-4", ""),
            EventRow("running", "succeeded", T0 + 20, 2, "chaos-4", ""),
        ]
    # t: attempt 1 still ticked on worker 3 after it was rescued and attempt 2 started.
    snapshot.executions["t"] += [
        Execution(1, 11, T0 + 1.1, None, worker="3", last_tick=T0 + 14),
        Execution(2, 10, T0 + 13.1, T0 + 19, worker="4"),
    ]
    # u: attempt 1 was claimed by worker 3 and never ran.
    snapshot.executions["u"] += [Execution(2, 10, T0 + 13.1, T0 + 19, worker="4")]
    snapshot.worker_pids = {"chaos-3": 300}
    tag = worker_tags(snapshot, {300: "3"})
    found = {(item.column, item.worker, item.task) for item in evidence(snapshot, [], tag)}
    assert found == {("overlaps", "3", "t"), ("attempts burnt", "3", "u")}
