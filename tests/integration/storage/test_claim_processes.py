"""Exactly-once claiming with real processes, each with several threads and connections."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connections

from scheduler_core.domain import Task
from scheduler_core.storage import DjangoTaskRepository

PROCESSES = 4
THREADS = 4
TASKS = 10_000
BATCH = 10
ROOT = Path(__file__).resolve().parents[3]


def database_url(alias: str) -> str:
    """A URL for the test database behind `alias`, for child processes."""
    settings = connections[alias].settings_dict
    if connections[alias].vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{settings['USER']}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.mark.slow
def test_every_task_is_claimed_exactly_once(
    alias: str, tasks: DjangoTaskRepository, capsys: pytest.CaptureFixture[str]
) -> None:
    now = tasks.clock.now()
    submitted = [Task.create("demo.noop", now=now, args=[n]) for n in range(TASKS)]
    tasks.add_many(submitted)
    env = {**os.environ, "DATABASE_URL": database_url(alias), "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.storage.claim_process",
                f"p{n}",
                str(THREADS),
                str(BATCH),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    tally: Counter[str] = Counter()
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        tally.update(json.loads(out))
    duplicates = sum(count - 1 for count in tally.values() if count > 1)
    missing = len({str(task.id) for task in submitted} - set(tally))
    with capsys.disabled():
        print(
            f"\n[{alias}] {PROCESSES} processes x {THREADS} threads claimed "
            f"{sum(tally.values())} of {TASKS}: duplicates={duplicates} missing={missing}"
        )
    assert duplicates == 0
    assert missing == 0
    assert sum(tally.values()) == TASKS
