"""A worker cut off from PostgreSQL for twice its lease, for real (a network namespace).

The worker runs in a namespace of its own, joined to the host by a veth pair, and reaches
the test database through a relay on the host end (chaos/netns.py). Setting that end down
makes every packet vanish both ways, as in a real partition: no RST, no error, only
silence. While it lasts, a worker on the host rescues and reruns what the cut-off worker
held. After the link is back:

- no two executions of a task were alive at once (the execution log's ticks say);
- no attempt was charged for a claim that never ran;
- the cut-off worker is starting new tasks within two heartbeats (a third of the lease each).
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connections

import chaos.tasks
from chaos.execlog import LOG_VARIABLE, WORKER_VARIABLE, Tail
from chaos.invariants import burnt_attempts, overlapping_pairs
from chaos.netns import Partition, target_of, unavailable
from chaos.processes import ROOT, Managed
from chaos.snapshot import load
from scheduler_core.bootstrap import Services
from scheduler_core.domain.ports import SubmitRequest
from tests.integration.storage.test_claim_processes import database_url

from .conftest import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

LEASE = 6
HEARTBEAT = LEASE / 3
CUT = 2 * LEASE
# Longer than the cut: the cut-off worker is still running them when their leases lapse.
LONG_SECONDS = CUT + 8
# A queue only the cut-off worker serves: its recovery is whatever it starts from there.
ONLY_INSIDE = "inside-only"
TASKS = chaos.tasks.__name__
# How long the test waits for a recovery, then for every task to finish, before judging.
RECOVERY_WAIT = 45
FINISH_WAIT = 60


def name(function: str) -> str:
    """The registered name of a chaos task."""
    return f"{TASKS}.{function}"


@pytest.fixture
def partition() -> Iterator[Partition]:
    """A namespace joined to the PostgreSQL server by a relay; removed even on failure."""
    reason = unavailable()
    if reason:
        pytest.skip(f"no network namespace can be made here: {reason}")
    if "postgres" not in connections:
        pytest.skip("the partition test needs PostgreSQL (TEST_DATABASE_URL)")
    made = Partition(os.getpid(), target_of(database_url("postgres")))
    try:
        made.set_up(Path(f"/tmp/partition-relay-{os.getpid()}.log"))
        yield made
    finally:
        made.tear_down()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[Managed]]:
    """Worker processes started by the test; all stopped afterwards."""
    started: list[Managed] = []
    yield started
    for worker in started:
        worker.signal_tree(signal.SIGCONT)
        worker.stop(timeout=15)


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_worker_cut_off_for_twice_its_lease_never_overlaps_burns_nothing_and_recovers(
    services: Services,
    alias: str,
    partition: Partition,
    workers: list[Managed],
    tmp_path: Path,
) -> None:
    log = tmp_path / "executions.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(alias),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "SCHEDULER_TASK_MODULES": TASKS,
        "SCHEDULER_RETRY_BASE_SECONDS": "0.2",
        "PYTHONPATH": str(ROOT),
        LOG_VARIABLE: str(log),
    }
    connections.close_all()
    tail = Tail(log)

    def start(worker: str, queues: str, inside: bool) -> Managed:
        args = ["runworkers", "--worker-id", worker, "--lease", str(LEASE)]
        args += ["--maintenance-interval", "1", "--concurrency", "2", "--queues", queues]
        worker_env = {**env, WORKER_VARIABLE: worker}
        if inside:
            worker_env["DATABASE_URL"] = partition.url(env["DATABASE_URL"])
        process = Managed(
            args,
            worker_env,
            tmp_path / f"{worker}.log",
            prefix=partition.prefix() if inside else None,
            own_group=True,
        )
        workers.append(process)
        return process

    def submit(function: str, queue: str, **kwargs: object) -> uuid.UUID:
        request = SubmitRequest(name=name(function), kwargs=kwargs, queue=queue, max_attempts=25)
        return services.tasks.submit(request).task.id

    def started_on(worker: str, count: int) -> Callable[[], bool]:
        def check() -> bool:
            tail.poll()
            return len(tail.starts.get(worker, [])) >= count

        return check

    inside = start("inside", f"default,{ONLY_INSIDE}", inside=True)
    long_ids = [submit("slow", "default", seconds=LONG_SECONDS) for _ in range(2)]
    wait_until(started_on("inside", 2), timeout=60, what="the cut-off worker to run both")
    start("outside", "default", inside=False)
    # Work the cut-off worker could claim (and must not burn) the moment it can reach out.
    short_ids = [submit("slow", "default", seconds=0.5) for _ in range(20)]
    time.sleep(1)

    partition.cut()
    cut_at = time.time()
    only_inside = [submit("quick", ONLY_INSIDE) for _ in range(10)]
    time.sleep(CUT)
    partition.restore()
    restored = time.time()

    # Waited for without failing here: every finding goes into one report below.
    deadline = time.monotonic() + RECOVERY_WAIT
    first = None
    while first is None and time.monotonic() < deadline:
        time.sleep(0.1)
        tail.poll()
        first = tail.first_start_after("inside", restored)
    every = [*long_ids, *short_ids, *only_inside]
    deadline = time.monotonic() + FINISH_WAIT
    while time.monotonic() < deadline:
        if all(services.tasks.status(each).status.is_terminal for each in every):
            break
        time.sleep(0.5)
    exited = inside.process.poll()

    with connections[alias].cursor() as cursor:
        snapshot = load(cursor, log)
    overlaps = [
        f"{task} attempt {later.attempt} started {earlier.last_seen - later.start:.2f}s before "
        f"attempt {earlier.attempt} (worker {earlier.worker}) was last seen running"
        for task, earlier, later, thaw_only in overlapping_pairs(snapshot)
    ]
    burnt = {
        task.id: numbers
        for task in snapshot.tasks
        if (numbers := burnt_attempts(task, snapshot.executions[task.id])[0])
    }
    statuses = Counter(services.tasks.status(each).status.value for each in every)
    recovery = "never" if first is None else f"{first - restored:.2f}s"
    report = (
        f"cut at {cut_at:.1f} for {CUT}s; recovery {recovery} (bound {2 * HEARTBEAT:.1f}s); "
        f"overlaps {overlaps}; burnt {burnt}; statuses {dict(statuses)}; "
        f"cut-off worker exit code {exited}; logs in {tmp_path}"
    )
    print(report)
    assert overlaps == [], report
    assert burnt == {}, report
    assert first is not None and first - restored <= 2 * HEARTBEAT, report
    assert statuses == {"succeeded": len(every)}, report
    assert exited is None, report
