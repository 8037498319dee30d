"""Real worker processes (`manage.py runworkers`) against the test databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connections

from scheduler_core.bootstrap import Services, build_services
from scheduler_core.domain import RetryPolicy, Task
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.task_backend.registry import registry
from tests.integration.storage.test_claim_processes import database_url

from . import tasks as worker_tasks

ROOT = Path(__file__).resolve().parents[3]
TASKS_MODULE = worker_tasks.__name__
# Short leases so that lost workers are noticed in seconds, not a minute.
LEASE_SECONDS = 3


def task_name(function_name: str) -> str:
    """The registered name of one of the test tasks."""
    return f"{TASKS_MODULE}.{function_name}"


def wait_until(predicate: Callable[[], object], timeout: float = 30, what: str = "") -> None:
    """Poll `predicate` until it is true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")


class WorkerProcess:
    """One `manage.py runworkers` subprocess and its output."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._output = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runworkers", *args],
            cwd=ROOT,
            env=env,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            # A process group of its own, as under systemd or in a container: a test can
            # signal the whole worker (supervisor, forkserver, slots) as those do.
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        """The supervisor's process id."""
        return self.process.pid

    def signal(self, signum: int) -> None:
        """Send a signal to the supervisor."""
        self.process.send_signal(signum)

    def signal_group(self, signum: int) -> None:
        """Send a signal to the worker's whole process group."""
        os.killpg(self.process.pid, signum)

    def wait(self, timeout: float) -> int:
        """Wait for the exit; return its code."""
        return self.process.wait(timeout=timeout)

    def output(self) -> str:
        """Everything the worker logged so far."""
        self._output.flush()
        return self.log.read_text()

    def stop(self) -> None:
        """Stop it if it still runs: drain briefly (so it writes its coverage), then kill."""
        if self.process.poll() is None:
            # A test may have left it stopped.
            self.signal_group(signal.SIGCONT)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGKILL)
                self.process.wait(timeout=10)
        self._output.close()


@pytest.fixture
def services(alias: str) -> Services:
    """Services on the test database, with the test tasks registered."""
    registry.autodiscover()
    return build_services(
        "django",
        database=alias,
        catalog=registry,
        policy=RetryPolicy(base=timedelta(milliseconds=200), factor=2, jitter=0),
    )


@pytest.fixture
def submit(services: Services) -> Callable[..., Task]:
    """Submit one of the test tasks by its function name."""

    def submit_task(function_name: str, *args: object, **fields: object) -> Task:
        request = SubmitRequest(name=task_name(function_name), args=list(args), **fields)  # type: ignore[arg-type]
        return services.tasks.submit(request).task

    return submit_task


@pytest.fixture
def start_worker(alias: str, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start worker subprocesses on the test database; all are killed after the test."""
    started: list[WorkerProcess] = []
    env = {
        **os.environ,
        "DATABASE_URL": database_url(alias),
        "SCHEDULER_TASK_MODULES": TASKS_MODULE,
        "SCHEDULER_RETRY_BASE_SECONDS": "0.2",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
    }
    # Other workers' connections would keep the test database from being dropped.
    connections.close_all()

    def start(*args: str, extra_env: dict[str, str] | None = None) -> WorkerProcess:
        name = f"w{len(started) + 1}"
        arguments = [
            "--worker-id",
            name,
            "--lease",
            str(LEASE_SECONDS),
            "--maintenance-interval",
            "1",
            *args,
        ]
        worker = WorkerProcess(arguments, env | (extra_env or {}), tmp_path / f"{name}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    """A file tasks append their side effects to."""
    path = tmp_path / "effects.log"
    path.touch()
    return path
