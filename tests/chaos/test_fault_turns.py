"""The runner's turns: a worker under a fault is left alone until that very fault is over,
and a pause counts as lifted from its first SIGCONT."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

from chaos.execlog import Tail
from chaos.faults import Fault, FaultLog
from chaos.runner import ChaosRun, Options

T0 = 1_800_000_000.0
PID = 4242
INF = float("inf")


class FrozenWorker:
    """Stands in for a worker process: records when each signal reached it."""

    pid = PID

    def __init__(self) -> None:
        self.signals: list[tuple[int, float]] = []

    def note_descendants(self) -> None:
        """Nothing below it."""

    def signal(self, signum: int) -> None:
        self.signals.append((signum, time.time()))

    def signal_tree(self, signum: int) -> list[int]:
        # A loaded machine: the runner is descheduled between the signal and what follows.
        self.signals.append((signum, time.time()))
        time.sleep(0.02)
        return [PID]


def runner_with(faults: FaultLog, tmp_path: Path) -> ChaosRun:
    """A runner with only what choosing and lifting faults needs (no database, no workers)."""
    runner = ChaosRun.__new__(ChaosRun)
    runner.options = Options(lease=4)
    runner.fault_log = faults
    runner.tags = {PID: "3"}
    runner.busy = {}
    runner.due = []
    runner.rng = random.Random(0)
    log = tmp_path / "executions.log"
    log.write_text("")
    runner.tail = Tail(log)
    return runner


def test_a_worker_still_paused_is_not_freed_by_an_earlier_fault_it_recovered_from(
    tmp_path: Path,
) -> None:
    faults = FaultLog(lease=4)
    faults.add(Fault("pause-worker", "3", T0, restored=T0 + 10, successor="3", recovered=T0 + 11))
    # The same worker, frozen again and not yet thawed.
    faults.add(Fault("pause-worker", "3", T0 + 30))
    runner = runner_with(faults, tmp_path)
    runner.busy[PID] = INF

    runner.follow()

    # Freed by the first fault's recovery, it was killed or paused while still frozen.
    assert runner.busy[PID] == INF
    assert not faults.settled("3", T0 + 40, grace=60)


def test_a_worker_is_free_again_once_its_latest_fault_recovered_or_the_grace_passed(
    tmp_path: Path,
) -> None:
    faults = FaultLog(lease=4)
    faults.add(Fault("pause-worker", "3", T0, restored=T0 + 10, successor="3"))
    assert not faults.settled("3", T0 + 20, grace=60)
    assert faults.settled("3", T0 + 71, grace=60)
    faults.faults[-1].recovered = T0 + 12
    assert faults.settled("3", T0 + 20, grace=60)
    assert not faults.settled("7", T0 + 20, grace=60)


def test_a_pause_counts_as_lifted_from_before_its_first_sigcont(tmp_path: Path) -> None:
    runner = runner_with(FaultLog(lease=4), tmp_path)
    worker = FrozenWorker()
    runner.pause(worker, "pause-worker")  # type: ignore[arg-type]

    runner.run_due(INF)

    [fault] = runner.fault_log.faults
    first_cont = min(at for signum, at in worker.signals if signum == signal.SIGCONT)
    # A task the thawed worker starts a millisecond after the signal is its recovery.
    assert fault.restored is not None and fault.restored <= first_cont
    assert fault.successor == "3"
