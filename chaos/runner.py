"""The chaos run: mixed tasks, workers killed and restarted, connections cut, a restart.

Runs in a process whose Django settings already point at the run's own database (see
chaos/__main__.py); workers and the web server are `manage.py` subprocesses.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import signal
import socket
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from scheduler_core.bootstrap import get_services
from scheduler_core.domain import InvalidTransition, TaskNotFound
from scheduler_core.executor.load_report import descendants
from scheduler_core.schedules.declared import declared_schedules

from . import live
from .database import RunDatabase, restart_server, terminate_backends
from .due import Due
from .execlog import LOG_VARIABLE, WORKER_VARIABLE, Tail
from .faults import (
    NEW_KINDS,
    Fault,
    FaultLog,
    evidence,
    slot_report,
    table,
    thaw_report,
    worker_tags,
)
from .invariants import check, report, uncharged_runs
from .kinds import KINDS, SCHEDULE_NAME
from .netns import Partition, target_of, unavailable
from .processes import Managed, alive, environment, start_time
from .scenario import LONG_SECONDS, plan
from .snapshot import Snapshot
from .workflow_plan import SHAPES, plan_workflows

SUBMIT_BATCH = 1000
# One workflow run (of 4 to 22 steps) per this many tasks asked for.
WORKFLOW_EVERY = 250


@dataclass(slots=True)
class Options:
    """What one chaos run does (see `python -m chaos chaos --help`)."""

    tasks: int = 50_000
    duration: float = 300.0
    drain_timeout: float = 900.0
    workers: int = 4
    concurrency: int = 4
    lease: int = 10
    kill_every: float = 4.0
    terminate_every: float = 10.0
    restart_postgres: bool = True
    restart_at: float = 60.0
    seed: int = 0
    logs: Path = Path("/tmp")
    # The new faults (chaos/faults.py NEW_KINDS), taken in turn every `fault_every` seconds
    # during the first FAULT_WINDOW of the run, while tasks still come due; and the share
    # of 5-30 s tasks in the mix.
    faults: tuple[str, ...] = ()
    fault_every: float = 15.0
    long_share: float = 0.02
    long_seconds: float = LONG_SECONDS


# Faults are injected in this share of the duration: later, only the schedule's ticks come
# due, and a worker that recovered could find nothing to start.
FAULT_WINDOW = 0.5
# A worker hit by a fault is left alone until it recovers, or for this long after (s).
RECOVERY_GRACE = 60.0
# A worker still alive this long after its start-up raised is hung; one not running after
# START_TIMEOUT is killed and replaced all the same (s).
HUNG_AFTER = 60.0
START_TIMEOUT = 180.0
# How long the slots of a SIGKILLed supervisor are watched (s).
ORPHAN_WATCH = 30.0


class Tee(io.StringIO):
    """Standard output that is also kept in a file (the report beside the run's logs)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.out = sys.stdout

    def write(self, text: str) -> int:
        """Write to both."""
        self.out.write(text)
        with self.path.open("a") as kept:
            kept.write(text)
        return len(text)


@dataclass(slots=True)
class Figures:
    """What happened during the run, for the closing report and docs/reliability.md."""

    counts: Counter[str] = field(default_factory=Counter)
    restart: str = "not attempted"

    def line(self) -> str:
        """One line of figures."""
        parts = [f"{name} {value}" for name, value in sorted(self.counts.items())]
        return ", ".join(parts) + f"; postgres restart: {self.restart}"


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ChaosRun:
    """One run against one database; `run()` returns the process exit code."""

    def __init__(self, options: Options, database: RunDatabase) -> None:
        self.options = options
        self.database = database
        self.rng = random.Random(options.seed)
        self.env = environment(
            database.url,
            SCHEDULER_RETRY_BASE_SECONDS="0.2",
            SCHEDULER_LEASE_SECONDS=str(options.lease),
        )
        self.services = get_services()
        self.figures = Figures()
        self.workers: list[Managed] = []
        self.stopping: list[Managed] = []
        self.retired: list[Managed] = []
        self.cancel_targets: set[str] = set()
        self.cancelled: set[str] = set()
        self.submitted: set[str] = set()
        self.port = free_port()
        self.tick_seconds = int(os.environ.get("CHAOS_TICK_SECONDS", "3"))
        # Worker pid -> when it was first seen running (registered, slots started).
        self.up_since: dict[int, float] = {}
        self.ids: dict[int, str] = {}
        # When a worker first ran: the schedule can fire from then on.
        self.first_up: float | None = None
        self.exec_log = Path(os.environ[LOG_VARIABLE])
        self.tail = Tail(self.exec_log)
        self.fault_log = FaultLog(lease=float(options.lease))
        # Supervisor pid -> the runner's tag of that worker (CHAOS_WORKER in its processes).
        self.tags: dict[int, str] = {}
        # Workers under a fault, or recovering from one, until (monotonic): no other fault.
        self.busy: dict[int, float] = {}
        # Actions due later (monotonic), such as the SIGCONT that ends a pause; run on time
        # by a thread of their own, whatever the main loop waits for (due.py).
        self.due = Due()
        self.turn = 0
        self.turn_since = 0.0
        self.long_tasks: set[str] = set()
        self.partition: Partition | None = None
        self.inside: Managed | None = None
        # Workers whose start-up raised but whose process did not end.
        self.hung_workers: list[str] = []
        # Worker pid -> the fault whose exit code it reports when it exits (a group TERM).
        self.exits: dict[int, Fault] = {}

    # -- processes -------------------------------------------------------------------------

    def start_worker(self, *, inside: bool = False) -> Managed:
        """A fresh `runworkers` process with short leases and quick maintenance.

        Each leads a process group of its own (for the group faults) and carries its tag in
        the environment, so its slots' executions name it in the log. `inside` starts it in
        the partition's network namespace, reaching the database through the relay.
        """
        number = self.figures.counts["workers started"] + 1
        self.figures.counts["workers started"] += 1
        args = [
            "runworkers",
            "--worker-id",
            f"chaos-{number}",
            "--concurrency",
            str(self.options.concurrency),
            "--lease",
            str(self.options.lease),
            "--maintenance-interval",
            "1",
            "--shutdown-timeout",
            "2",
        ]
        env = {**self.env, WORKER_VARIABLE: str(number)}
        prefix: list[str] = []
        if inside and self.partition is not None:
            env["DATABASE_URL"] = self.partition.url(self.database.url)
            prefix = self.partition.prefix()
        worker = Managed(
            args,
            env,
            self.options.logs / f"worker-{number}.log",
            prefix=prefix,
            own_group=True,
        )
        self.workers.append(worker)
        self.ids[worker.pid] = f"chaos-{number}"
        self.tags[worker.pid] = str(number)
        if inside:
            self.inside = worker
        return worker

    def start_web(self) -> Managed:
        """The web server on the same database, for /metrics."""
        web = Managed(
            ["runserver", "--noreload", f"127.0.0.1:{self.port}"],
            self.env,
            self.options.logs / "web.log",
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5)
                return web
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"the web server did not start; see {web.log}")

    def note_running(self) -> None:
        """Note which workers have registered as running (their slots are up)."""
        running = {
            row[0] for row in live.rows("SELECT id FROM scheduler_worker WHERE state = 'running'")
        }
        now = time.monotonic()
        for worker in self.workers:
            if self.ids[worker.pid] in running:
                self.up_since.setdefault(worker.pid, now)
                if self.first_up is None:
                    self.first_up = now

    def any_up(self) -> bool:
        """True when some current worker has got as far as running."""
        return any(worker.pid in self.up_since for worker in self.workers)

    def victim(self) -> Managed | None:
        """A random worker that has been running for a while, or None.

        On a loaded 2-core machine a worker takes many seconds to start. Killing only
        workers that got as far as running keeps some of them working (and ticking the
        schedule) between kills, instead of killing start-ups over and over.
        """
        now = time.monotonic()
        ready = [
            worker
            for worker in self.workers
            if now - self.up_since.get(worker.pid, now) >= self.options.kill_every
            and self.busy.get(worker.pid, 0) <= now
            and worker is not self.inside
        ]
        return self.rng.choice(ready) if ready else None

    def kill_one(self) -> None:
        """SIGKILL a random worker and start a fresh one."""
        victim = self.victim()
        if victim is None:
            return
        self._kill_supervisor(victim, "kill")
        self.figures.counts["SIGKILLs"] += 1

    def _kill_supervisor(self, victim: Managed, kind: str) -> None:
        """SIGKILL the supervisor alone, watch its slots die, start its replacement."""
        fault = self.fault_log.add(Fault(kind, self.tags[victim.pid], time.time()))
        below = {pid: start_time(pid) for pid in descendants(victim.pid)[1:]}
        victim.note_descendants()
        victim.signal(signal.SIGKILL)
        killed = time.monotonic()
        threading.Thread(
            target=self._watch_orphans, args=(fault, below, killed), daemon=True
        ).start()
        victim.process.wait(timeout=30)
        self.workers.remove(victim)
        self.retired.append(victim)
        self._replace(fault)

    @staticmethod
    def _watch_orphans(fault: Fault, below: dict[int, int | None], killed: float) -> None:
        """How long the processes below a SIGKILLed supervisor live on (the bound is 1 s)."""
        watched = {pid: started for pid, started in below.items() if started is not None}
        while time.monotonic() - killed < ORPHAN_WATCH:
            if not any(alive(pid, started) for pid, started in watched.items()):
                break
            time.sleep(0.02)
        fault.slots_outlived = time.monotonic() - killed

    def _replace(self, fault: Fault, *, inside: bool = False) -> Managed:
        """Start a replacement worker; its first started task ends the fault's recovery."""
        replacement = self.start_worker(inside=inside)
        fault.restored = time.time()
        fault.successor = self.tags[replacement.pid]
        return replacement

    def term_one(self) -> None:
        """SIGTERM a random worker (it drains and exits) and start its replacement."""
        victim = self.victim()
        if victim is None:
            return
        self._terminate(victim, "term")
        self.figures.counts["SIGTERMs"] += 1

    def _terminate(self, victim: Managed, kind: str) -> None:
        """SIGTERM the supervisor ("term") or its whole group; it drains; start a replacement.

        "term-group" is what systemd (KillMode=control-group), timeout, Docker and
        `kill -- -PGID` do: every process of the worker gets the signal at once.
        """
        fault = self.fault_log.add(Fault(kind, self.tags[victim.pid], time.time()))
        victim.note_descendants()
        if kind == "term-group":
            victim.signal_group(signal.SIGTERM)
        else:
            victim.signal(signal.SIGTERM)
        self.workers.remove(victim)
        self.stopping.append(victim)
        self.exits[victim.pid] = fault
        self._replace(fault)

    # -- the new faults ----------------------------------------------------------------

    def inject(self, now: float, started: float) -> None:
        """The next new fault in turn, if one is due; a fault that finds no target waits."""
        kinds = self.available_faults()
        if not kinds or now - started > self.options.duration * FAULT_WINDOW:
            return
        if now - self.turn_since < self.options.fault_every:
            return
        kind = kinds[self.turn % len(kinds)]
        if self._inject(kind):
            self.figures.counts[f"fault {kind}"] += 1
        elif now - self.turn_since < 2 * self.options.fault_every:
            return
        else:
            self.figures.counts[f"fault {kind} skipped (no target)"] += 1
        self.turn += 1
        self.turn_since = now

    def follow(self) -> None:
        """Read the execution log; a worker that recovered from its fault is fair game again."""
        self.tail.poll()
        self.fault_log.note_recoveries(self.tail)
        now = time.monotonic()
        for pid, tag in self.tags.items():
            if self.busy.get(pid) == float("inf") and self.fault_log.settled(
                tag, time.time(), RECOVERY_GRACE
            ):
                self.busy[pid] = now + self.options.lease

    def recovering(self) -> bool:
        """True while a lifted fault's worker has not started a task again (for a while)."""
        return any(
            fault.restored is not None
            and fault.recovered is None
            and time.time() - fault.restored < RECOVERY_GRACE
            for fault in self.fault_log.faults
            if fault.kind in NEW_KINDS
        )

    def available_faults(self) -> list[str]:
        """The asked-for faults this run can inject (a partition needs its namespace)."""
        return [
            kind
            for kind in self.options.faults
            if kind != "partition" or (self.partition is not None and self.inside is not None)
        ]

    def _inject(self, kind: str) -> bool:
        if kind == "partition":
            return self.cut_partition()
        if kind == "kill-supervisor":
            target = self.victim_running_long()
            if target is None:
                return False
            self._kill_supervisor(target, kind)
            return True
        victim = self.victim()
        if victim is None:
            return False
        if kind == "term-group":
            self._terminate(victim, kind)
        else:
            self.pause(victim, kind)
        return True

    def victim_running_long(self) -> Managed | None:
        """A worker whose slots run a 5-30 s task now, or None."""
        self.tail.poll()
        now = time.monotonic()
        wall = time.time()
        candidates = [
            worker
            for worker in self.workers
            if worker is not self.inside
            and self.busy.get(worker.pid, 0) <= now
            and self.long_tasks.intersection(self.tail.running_on(self.tags[worker.pid], wall))
        ]
        return self.rng.choice(candidates) if candidates else None

    def pause(self, victim: Managed, kind: str) -> None:
        """SIGSTOP the whole worker (2-3 leases) or its supervisor alone (1.5-2 leases)."""
        lease = self.options.lease
        fault = self.fault_log.add(Fault(kind, self.tags[victim.pid], time.time()))
        victim.note_descendants()
        if kind == "pause-worker":
            stopped = victim.signal_tree(signal.SIGSTOP)
            seconds = lease * self.rng.uniform(2.0, 3.0)
        else:
            victim.signal(signal.SIGSTOP)
            stopped = [victim.pid]
            seconds = lease * self.rng.uniform(1.5, 2.0)
        self.busy[victim.pid] = float("inf")

        def resume() -> None:
            # Stamped before the first SIGCONT: a worker may start tasks within
            # milliseconds of it, sooner than this process, on a loaded machine, gets
            # round to a stamp taken after the signals.
            self._lifted(victim, fault)
            if kind == "pause-worker":
                for pid in stopped:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGCONT)
                victim.signal_tree(signal.SIGCONT)
            else:
                victim.signal(signal.SIGCONT)

        self.due.add(time.monotonic() + seconds, resume)

    def _lifted(self, worker: Managed, fault: Fault) -> None:
        # Left alone until it recovers (see follow), so that its recovery is its own.
        fault.restored = time.time()
        fault.successor = self.tags[worker.pid]

    def cut_partition(self) -> bool:
        """Cut the namespace's link for twice the lease, then restore it."""
        partition, inside = self.partition, self.inside
        if partition is None or inside is None or inside.pid not in self.up_since:
            return False
        if self.busy.get(inside.pid, 0) > time.monotonic():
            return False
        fault = self.fault_log.add(Fault("partition", self.tags[inside.pid], time.time()))
        partition.cut()
        self.busy[inside.pid] = float("inf")

        def restore() -> None:
            partition.restore()
            self._lifted(inside, fault)

        self.due.add(time.monotonic() + 2 * self.options.lease, restore)
        return True

    def run_due(self, now: float) -> None:
        """Run the actions whose time has come (every one when `now` is infinite)."""
        self.due.run(now)

    def set_up_partition(self) -> None:
        """The namespace and relay for the partition fault, when asked for and possible."""
        if "partition" not in self.options.faults:
            return
        if self.database.dialect != "postgresql":
            print("partition: skipped (PostgreSQL only)", flush=True)
            return
        reason = unavailable()
        if reason:
            print(f"partition: skipped ({reason})", flush=True)
            return
        self.partition = Partition(os.getpid(), target_of(self.database.url))
        self.partition.set_up(self.options.logs / "relay.log")

    def reap(self) -> None:
        """Retire drained workers; replace any worker that died on its own."""
        for worker in list(self.stopping):
            if not worker.running():
                self.stopping.remove(worker)
                self.retired.append(worker)
                if worker.pid in self.exits:
                    self.exits[worker.pid].exit_code = worker.process.returncode
        for worker in list(self.workers):
            worker.note_descendants()
            if worker.running() and self.hung(worker):
                # Killed and replaced below, as a process manager with a start timeout would.
                worker.signal_group(signal.SIGKILL)
                worker.process.wait(timeout=30)
            if not worker.running():
                self.workers.remove(worker)
                self.retired.append(worker)
                self.figures.counts["workers that exited on their own"] += 1
                replacement = self.start_worker(inside=worker is self.inside)
                # As a process manager would restart it: its replacement's first task ends
                # the recovery of a fault it had not recovered from.
                for fault in self.fault_log.faults:
                    if fault.successor == self.tags[worker.pid] and fault.recovered is None:
                        fault.successor = self.tags[replacement.pid]

    def hung(self, worker: Managed) -> bool:
        """True for a worker that never got to running and whose process will not end.

        One whose start-up raised an exception up to manage.py (the traceback in its log)
        but that still lives after HUNG_AFTER is hung: noted as a violation. One still
        starting after START_TIMEOUT is only slow on this loaded machine: counted.
        """
        if worker.pid in self.up_since or worker is self.inside and self.partition_cut():
            return False
        age = time.monotonic() - worker.started
        # An exception that reached manage.py ended `runworkers`; the process should follow.
        uncaught = 'manage.py", line' in worker.log.read_text(errors="replace")
        if age > HUNG_AFTER and uncaught:
            self.hung_workers.append(
                f"worker {self.tags[worker.pid]} raised at start-up and was still alive "
                f"{age:.0f}s after it started (see {worker.log})"
            )
            return True
        if age > START_TIMEOUT:
            self.figures.counts["workers killed for starting too slowly"] += 1
            return True
        return False

    def partition_cut(self) -> bool:
        """True while the partition's link is down (its worker cannot start then)."""
        return self.partition is not None and self.partition.is_cut

    # -- work ------------------------------------------------------------------------------

    def submit(self) -> None:
        """Submit the planned mix in batches."""
        planned = plan(
            self.options.tasks,
            rng=self.rng,
            now=datetime.now(UTC),
            delay_spread=self.options.duration * 0.6,
            long_share=self.options.long_share,
            long_seconds=self.options.long_seconds,
        )
        for start in range(0, len(planned), SUBMIT_BATCH):
            batch = planned[start : start + SUBMIT_BATCH]
            requests = [each.request for each in batch]
            tasks = live.retrying(partial(self.services.tasks.submit_many, requests))
            for each, task in zip(batch, tasks, strict=True):
                self.submitted.add(task.id.hex)
                if each.request.name == KINDS["long"].name:
                    self.long_tasks.add(task.id.hex)
                if each.cancel:
                    self.cancel_targets.add(task.id.hex)
        # Workflow runs beside the tasks: joins, a wide fan-in, failures that cascade.
        runs = plan_workflows(max(len(SHAPES), self.options.tasks // WORKFLOW_EVERY), self.rng)
        for name, steps in runs:
            run = live.retrying(partial(self.services.workflows.enqueue, f"chaos-{name}", steps))
            self.submitted.update(step.id.hex for step in run.steps)
        self.figures.counts["workflow runs"] = len(runs)
        self.figures.counts["tasks submitted"] = len(self.submitted)

    def cancel_some(self) -> None:
        """Cancel target tasks that run now, and now and then one that waits."""
        name = KINDS["cancellable"].name
        found = live.rows(
            "SELECT id, status FROM scheduler_task WHERE name = %s AND status IN "
            "('running', 'ready', 'scheduled', 'retrying')",
            [name],
        )
        for task_id, status in found:
            key = uuid.UUID(str(task_id)).hex
            if key not in self.cancel_targets or key in self.cancelled:
                continue
            if status != "running" and self.rng.random() > 0.01:
                continue
            try:
                live.retrying(partial(self.services.tasks.cancel, uuid.UUID(key), actor="chaos"))
            except (InvalidTransition, TaskNotFound):
                continue
            self.cancelled.add(key)
            self.figures.counts[f"cancels of {status} tasks"] += 1

    # -- the run ---------------------------------------------------------------------------

    def chaos_step(self, now: float, last: dict[str, float], started: float) -> None:
        """Whatever chaos is due at `now`."""
        options = self.options
        self.run_due(now)
        self.inject(now, started)
        if now - last["kill"] >= options.kill_every:
            last["kill"] = now
            self.kill_one()
            if self.figures.counts["SIGKILLs"] % 2 == 0:
                self.term_one()
        if self.database.dialect != "postgresql":
            return
        # Cut connections while workers run; a worker whose connection is cut while it
        # starts exits (and is replaced), and on a loaded machine start-up takes long.
        if now - last["terminate"] >= options.terminate_every and self.any_up():
            last["terminate"] = now
            self.figures.counts["backends terminated"] += terminate_backends(self.database)
            self.figures.counts["pg_terminate_backend rounds"] += 1
        if (
            options.restart_postgres
            and not last["restarted"]
            and now - started > min(options.restart_at, options.duration / 2)
        ):
            last["restarted"] = 1
            problem = restart_server(self.database)
            self.figures.restart = "done" if not problem else f"impossible: {problem}"
            print(f"postgres restart: {self.figures.restart}", flush=True)

    def all_done(self, now: float, started: float, last: dict[str, float]) -> bool:
        """Every task finished, past half the duration and the restart: chaos can end early."""
        restart_pending = (
            self.database.dialect == "postgresql"
            and self.options.restart_postgres
            and not last["restarted"]
        )
        too_soon = now - started < self.options.duration / 2
        if restart_pending or too_soon or now - last.get("done_check", started) < 5:
            return False
        if self.due or self.recovering():
            return False
        last["done_check"] = now
        return live.unfinished() == 0

    def run(self) -> int:
        """Submit, unleash, drain, stop, check; 0 when every invariant held."""
        options = self.options
        # Declared now rather than at the first worker's start, which may be killed early.
        live.retrying(partial(self.services.schedules.sync, declared_schedules()))
        web = self.start_web()
        began = time.monotonic()
        self.submit()
        print(
            f"submitted {len(self.submitted)} tasks in {time.monotonic() - began:.0f}s", flush=True
        )
        self.set_up_partition()
        try:
            return self._run(web, options)
        finally:
            # Never leave a worker stopped, nor a namespace behind, whatever went wrong;
            # workers lead groups of their own, so an interrupt of the runner misses them.
            self.run_due(float("inf"))
            for worker in self.workers + self.stopping:
                worker.signal_group(signal.SIGKILL)
            web.stop(timeout=10)
            if self.partition is not None:
                self.partition.tear_down()

    def _run(self, web: Managed, options: Options) -> int:
        for number in range(options.workers):
            self.start_worker(inside=number == 0 and self.partition is not None)
        started = time.monotonic()
        self.turn_since = started
        if not (options.restart_postgres and self.database.dialect == "postgresql"):
            self.figures.restart = (
                "not asked" if self.database.dialect == "postgresql" else "n/a (SQLite)"
            )
        last = {"kill": started, "terminate": started, "restarted": 0.0}
        scrapes_failed = 0
        while time.monotonic() - started < options.duration:
            now = time.monotonic()
            if self.all_done(now, started, last):
                break
            self.note_running()
            self.follow()
            self.chaos_step(now, last, started)
            self.reap()
            self.cancel_some()
            if int(now - started) % 10 == 0:
                try:
                    live.scrape(f"http://127.0.0.1:{self.port}/metrics", timeout=10, tries=1)
                except OSError:
                    scrapes_failed += 1
            time.sleep(0.5)
        chaos_end = time.monotonic()
        self.run_due(float("inf"))
        print(f"chaos over after {chaos_end - started:.0f}s: {self.figures.line()}", flush=True)
        live.retrying(lambda: self.services.schedules.set_enabled(SCHEDULE_NAME, False))
        deadline = time.monotonic() + options.drain_timeout
        while live.unfinished() and time.monotonic() < deadline:
            self.reap()
            time.sleep(1)
        elapsed = time.monotonic() - started
        for worker in self.workers + self.stopping:
            worker.note_descendants()
            worker.stop(timeout=60)
            self.retired.append(worker)
        metrics = live.scrape(f"http://127.0.0.1:{self.port}/metrics")
        web.stop(timeout=30)
        time.sleep(1)
        orphans = [
            f"pid {pid} outlived worker {w.pid}" for w in self.retired for pid in w.orphans()
        ]
        self.tail.poll()
        self.fault_log.note_recoveries(self.tail)
        snapshot = live.snapshot(self.exec_log)
        # The schedule runs for the whole chaos phase; ask for a third of its due times at
        # least, so that a schedule that never fired cannot pass as "no duplicate ticks".
        first_up = self.first_up if self.first_up is not None else chaos_end
        expected = int((chaos_end - first_up) / self.tick_seconds / 3)
        result = check(snapshot, submitted=self.submitted, metrics=metrics, ticks_expected=expected)
        result["no slot outlives its worker"] = orphans
        result["slots die within 1s of a supervisor SIGKILL"] = [
            f"worker {fault.worker}: slots lived {fault.slots_outlived:.2f}s after the kill"
            for fault in self.fault_log.faults
            if fault.slots_outlived is not None and fault.slots_outlived > 1.0
        ]
        result["a worker whose start-up fails exits"] = self.hung_workers
        result["a paused or cut-off worker runs tasks again"] = [
            f"{fault.kind} of worker {fault.worker}: no task started after it was lifted"
            for fault in self.fault_log.faults
            if fault.kind in ("pause-worker", "pause-supervisor", "partition")
            and fault.restored is not None
            and fault.recovered is None
        ]
        ticks = sum(1 for task in snapshot.tasks if task.name == KINDS["tick"].name)
        runs = sum(len(r) for r in snapshot.executions.values())
        self.figures.counts["schedule ticks"] = ticks
        self.figures.counts["executions recorded"] = runs
        self.figures.counts["worker child processes watched"] = sum(
            len(worker.seen) for worker in self.retired
        )
        self.figures.counts["seconds"] = round(elapsed)
        with contextlib.redirect_stdout(Tee(self.options.logs / "report.txt")):
            return self._report(result, snapshot, scrapes_failed)

    def _report(self, result: dict[str, list[str]], snapshot: Snapshot, scrapes_failed: int) -> int:
        """Print the figures, the invariants and the fault table; the exit code."""
        print(f"figures: {self.figures.line()}")
        print(f"metrics scrapes failed during chaos (server restarts): {scrapes_failed}")
        print(report(result))
        found = evidence(
            snapshot, result["every transition legal"], worker_tags(snapshot, self.tags)
        )
        print("faults (each problem charged to the latest fault on the worker involved):")
        print(table(self.fault_log, found))
        print(slot_report(self.fault_log))
        for fault in self.fault_log.faults:
            if fault.kind not in NEW_KINDS:
                continue
            print(
                f"fault {fault.kind} worker {fault.worker} -> {fault.successor or '-'}: "
                f"recovery {'-' if fault.recovery is None else f'{fault.recovery:.2f}s'}"
                + ("" if fault.exit_code is None else f", exit code {fault.exit_code}")
                + (
                    ""
                    if fault.slots_outlived is None
                    else f", slots gone after {fault.slots_outlived:.2f}s"
                )
            )
        uncharged = uncharged_runs(snapshot)
        print(f"runs whose attempt was given back (not charged): {len(uncharged)}")
        for line in uncharged[:3]:
            print(f"    {line}")
        blips = thaw_report(snapshot)
        print(f"thaw blips (a frozen run resumed after its retry started, then died): {len(blips)}")
        for line in blips[:3]:
            print(f"    {line}")
        violations = sum(len(found) for found in result.values())
        print(f"violations: {violations}")
        return 1 if violations else 0
