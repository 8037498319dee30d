"""A worker's start: one started before its database answers waits for it instead of
exiting, and none starts a program on its way to its first task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import Task, TaskStatus
from tests.integration.storage.test_claim_processes import database_url

from .conftest import ROOT, TASKS_MODULE, WorkerProcess, wait_until

pytestmark = pytest.mark.slow


# It creates a database, runs every migration on it and drops it: on a loaded machine that
# alone took over a minute, past the suite's default timeout.
@pytest.mark.timeout(300)
def test_a_worker_started_before_its_database_is_ready_starts_once_it_is(
    alias: str, backend: str, tmp_path: Path
) -> None:
    if backend != "postgres":
        pytest.skip("SQLite creates its database file on the first connection")
    server = database_url(alias).rsplit("/", 1)[0]
    name = f"late_{os.getpid()}"
    env = {
        **os.environ,
        "DATABASE_URL": f"{server}/{name}",
        "SCHEDULER_TASK_MODULES": TASKS_MODULE,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
    }
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        worker = WorkerProcess(["--worker-id", "late"], env, tmp_path / "late.log")
        try:
            # First away, then there but not yet migrated (a deploy running `migrate`
            # beside the worker's start): a start-up used to exit at its first error.
            time.sleep(3)
            admin.execute(f"CREATE DATABASE {name}")
            time.sleep(4)
            assert worker.process.poll() is None, worker.output()
            migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
            subprocess.run(migrate, cwd=ROOT, env=env, check=True)
            with psycopg.connect(f"{server}/{name}") as db:

                def running() -> bool:
                    row = db.execute(
                        "SELECT state FROM scheduler_worker WHERE id = 'late'"
                    ).fetchone()
                    db.commit()
                    return row is not None and row[0] == "running"

                wait_until(running, timeout=30, what="the late worker to register")
            worker.signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0
        finally:
            worker.stop()
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# Loaded by every Python process of the worker (the forkserver and the slots are forks of
# it): logs each program started through the subprocess module, and each import of the
# modules in AUDITED_IMPORTS, with the process that did it and that process's parent.
AUDIT_LOGGER = """
import os
import sys

AUDITED_IMPORTS = {"multiprocessing.sharedctypes", "multiprocessing.popen_forkserver"}


def _log(event, args):
    if event == "subprocess.Popen":
        line = f"spawn {os.getpid()} {list(args[1])}"
    elif event == "import" and args[0] in AUDITED_IMPORTS:
        line = f"import {os.getpid()} {os.getppid()} {args[0]}"
    else:
        return
    with open(os.environ["AUDIT_LOG"], "a") as log:
        log.write(line + "\\n")


sys.addaudithook(_log)
"""


@pytest.fixture
def audited_start(
    services: Services,
    submit: Callable[..., Task],
    start_worker: Callable[..., WorkerProcess],
    log_file: Path,
    tmp_path: Path,
) -> tuple[WorkerProcess, list[list[str]]]:
    """A worker with two slots started under AUDIT_LOGGER, and the log's lines once its
    first task succeeded, each split into words."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(AUDIT_LOGGER)
    audit = tmp_path / "audit.log"
    audit.touch()
    task = submit("record", str(log_file), "first")

    worker = start_worker(
        "--concurrency",
        "2",
        extra_env={"PYTHONPATH": f"{hooks}{os.pathsep}{ROOT}", "AUDIT_LOG": str(audit)},
    )
    wait_until(
        lambda: services.tasks.status(task.id).status is TaskStatus.SUCCEEDED,
        what="the first task",
    )
    return worker, [line.split(" ", 3) for line in audit.read_text().splitlines()]


def test_a_worker_starts_no_program_on_its_way_to_its_first_task(
    audited_start: tuple[WorkerProcess, list[list[str]]],
) -> None:
    # Each program is a fork and an exec before the first task can run: croniter's import
    # ran `file` on the interpreter in the supervisor, and the C library's look-up ran
    # `ldconfig -p` twice in the slots' server and once more in every slot.
    _, audit = audited_start

    assert [line for line in audit if line[0] == "spawn"] == []


def test_slots_find_multiprocessing_s_shared_memory_imported(
    audited_start: tuple[WorkerProcess, list[list[str]]],
) -> None:
    # A slot unpickles its process object (its shared deadline and start counter) as it
    # starts; the modules that takes are imported once by the slots' server, a child of
    # the supervisor, rather than by every slot, a child of the server.
    worker, audit = audited_start

    importers = {(line[1], line[2]) for line in audit if line[0] == "import"}
    assert importers
    assert all(str(worker.pid) in (pid, parent) for pid, parent in importers), importers
