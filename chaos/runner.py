"""The chaos run: mixed tasks, workers killed and restarted, connections cut, a restart.

Runs in a process whose Django settings already point at the run's own database (see
chaos/__main__.py); workers and the web server are `manage.py` subprocesses.
"""

from __future__ import annotations

import os
import random
import signal
import socket
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
from scheduler_core.schedule_settings import declared_schedules

from . import live
from .database import RunDatabase, restart_server, terminate_backends
from .invariants import check, report
from .kinds import KINDS, SCHEDULE_NAME
from .processes import Managed, environment
from .scenario import plan
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

    # -- processes -------------------------------------------------------------------------

    def start_worker(self) -> Managed:
        """A fresh `runworkers` process with short leases and quick maintenance."""
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
        worker = Managed(args, self.env, self.options.logs / f"worker-{number}.log")
        self.workers.append(worker)
        self.ids[worker.pid] = f"chaos-{number}"
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
        ]
        return self.rng.choice(ready) if ready else None

    def kill_one(self) -> None:
        """SIGKILL a random worker and start a fresh one."""
        victim = self.victim()
        if victim is None:
            return
        victim.note_descendants()
        victim.signal(signal.SIGKILL)
        victim.process.wait(timeout=30)
        self.workers.remove(victim)
        self.retired.append(victim)
        self.figures.counts["SIGKILLs"] += 1
        self.start_worker()

    def term_one(self) -> None:
        """SIGTERM a random worker (it drains and exits) and start its replacement."""
        victim = self.victim()
        if victim is None:
            return
        victim.note_descendants()
        victim.signal(signal.SIGTERM)
        self.workers.remove(victim)
        self.stopping.append(victim)
        self.figures.counts["SIGTERMs"] += 1
        self.start_worker()

    def reap(self) -> None:
        """Retire drained workers; replace any worker that died on its own."""
        for worker in list(self.stopping):
            if not worker.running():
                self.stopping.remove(worker)
                self.retired.append(worker)
        for worker in list(self.workers):
            worker.note_descendants()
            if not worker.running():
                self.workers.remove(worker)
                self.retired.append(worker)
                self.figures.counts["workers that exited on their own"] += 1
                self.start_worker()

    # -- work ------------------------------------------------------------------------------

    def submit(self) -> None:
        """Submit the planned mix in batches."""
        planned = plan(
            self.options.tasks,
            rng=self.rng,
            now=datetime.now(UTC),
            delay_spread=self.options.duration * 0.6,
        )
        for start in range(0, len(planned), SUBMIT_BATCH):
            batch = planned[start : start + SUBMIT_BATCH]
            requests = [each.request for each in batch]
            tasks = live.retrying(partial(self.services.scheduler.submit_many, requests))
            for each, task in zip(batch, tasks, strict=True):
                self.submitted.add(task.id.hex)
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
                live.retrying(
                    partial(self.services.scheduler.cancel, uuid.UUID(key), actor="chaos")
                )
            except (InvalidTransition, TaskNotFound):
                continue
            self.cancelled.add(key)
            self.figures.counts[f"cancels of {status} tasks"] += 1

    # -- the run ---------------------------------------------------------------------------

    def chaos_step(self, now: float, last: dict[str, float], started: float) -> None:
        """Whatever chaos is due at `now`."""
        options = self.options
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
        for _ in range(options.workers):
            self.start_worker()
        started = time.monotonic()
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
        snapshot = live.snapshot()
        # The schedule runs for the whole chaos phase; ask for a third of its due times at
        # least, so that a schedule that never fired cannot pass as "no duplicate ticks".
        first_up = self.first_up if self.first_up is not None else chaos_end
        expected = int((chaos_end - first_up) / self.tick_seconds / 3)
        result = check(snapshot, submitted=self.submitted, metrics=metrics, ticks_expected=expected)
        result["no slot outlives its worker"] = orphans
        ticks = sum(1 for task in snapshot.tasks if task.name == KINDS["tick"].name)
        runs = sum(len(r) for r in snapshot.executions.values())
        self.figures.counts["schedule ticks"] = ticks
        self.figures.counts["executions recorded"] = runs
        self.figures.counts["worker child processes watched"] = sum(
            len(worker.seen) for worker in self.retired
        )
        self.figures.counts["seconds"] = round(elapsed)
        print(f"figures: {self.figures.line()}")
        print(f"metrics scrapes failed during chaos (server restarts): {scrapes_failed}")
        print(report(result))
        violations = sum(len(found) for found in result.values())
        print(f"violations: {violations}")
        return 1 if violations else 0
