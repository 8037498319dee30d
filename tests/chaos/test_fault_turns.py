"""The runner's turns: a worker under a fault is left alone until that very fault is over,
and a pause counts as lifted from its first SIGCONT."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

from chaos.due import Due
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
    runner.due = Due()
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


class ShortPauses(random.Random):
    """Draws every pause at a tenth of the lease, so that a test need not wait 2-3 leases."""

    def uniform(self, a: float, b: float) -> float:
        return 0.1


def test_a_pause_ends_on_time_while_the_main_loop_waits_on_the_database(tmp_path: Path) -> None:
    # On SQLite a worker paused inside a write keeps the file's lock, and the runner's own
    # next write waits for it: a run hung for ten minutes when only the main loop, stuck
    # in that write, could send the SIGCONT.
    runner = runner_with(FaultLog(lease=4), tmp_path)
    runner.options = Options(lease=1)
    runner.rng = ShortPauses()
    worker = FrozenWorker()

    paused = time.time()
    runner.pause(worker, "pause-worker")  # type: ignore[arg-type]
    # The main loop, blocked in a write for a second: it never calls run_due meanwhile.
    time.sleep(1.0)

    conts = [at for signum, at in worker.signals if signum == signal.SIGCONT]
    # Paused for a tenth of a second: thawed long before the write gave up.
    assert conts and conts[0] - paused < 0.5
    assert len(runner.due) == 0
