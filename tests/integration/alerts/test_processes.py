"""Alerts across real processes: `manage.py runworkers` and `manage.py run_alerts`.

The issue's process-level test: one worker serves `default`; a no_live_worker rule posts
to a local webhook. SIGKILL the worker: exactly one "firing" POST, within for_seconds
plus one evaluation interval; start a worker: exactly one "resolved" POST. The new
worker's maintenance and the run_alerts loop race on every transition, so this also
checks exactly-once across processes. A second test measures, for the other kinds, the
time from a fault written into the tables to its notification. Times are printed (run
with -s) and written to docs/alerts.md by hand.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TextIO

import pytest
from django.db import connections

from scheduler_core.alert_wiring import build_alert_services
from scheduler_core.domain.alerts import AlertKind, AlertRule
from scheduler_core.models import ScheduleRecord, TaskEvent, WorkerRecord
from scheduler_core.storage import DatabaseClock
from tests.integration.storage.test_claim_processes import database_url
from tests.integration.worker.conftest import wait_until

from .conftest import Receiver, add_task, add_worker, webhook

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
INTERVAL = 1.0
FOR_SECONDS = 3
# Heartbeats every lease / 3 = 1 s; a worker silent for 2 s counts as gone.
LEASE = 3
SILENCE = 2


@pytest.fixture
def env(alias: str, receiver: Receiver) -> dict[str, str]:
    """The environment of child processes: the test database and the receiver allowed."""
    connections.close_all()
    return {
        **os.environ,
        "DATABASE_URL": database_url(alias),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "ALERT_WEBHOOK_ALLOWED": receiver.url,
        "ALERT_RETRY_BASE_SECONDS": "0.5",
    }


@pytest.fixture
def spawn(env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start `manage.py <command>` children in their own process groups; stopped after."""
    children: list[subprocess.Popen[bytes]] = []
    logs: list[TextIO] = []

    def start(*args: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{args[0]}-{len(children)}.log").open("w")
        logs.append(log)
        child = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        children.append(child)
        return child

    yield start
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait(timeout=10)
    for log in logs:
        log.close()


def worker_args(name: str) -> list[str]:
    return [
        "runworkers",
        "--worker-id",
        name,
        "--queues",
        "default",
        "--lease",
        str(LEASE),
        "--maintenance-interval",
        str(INTERVAL),
        "--concurrency",
        "1",
    ]


def live(alias: str, name: str) -> bool:
    return WorkerRecord.objects.using(alias).filter(id=name, state="running").exists()


def events(receiver: Receiver) -> list[str]:
    return [body["event"] for body in receiver.bodies()]


def test_sigkill_of_the_only_worker_fires_once_and_a_new_worker_resolves_once(
    alias: str,
    receiver: Receiver,
    spawn: Callable[..., subprocess.Popen[bytes]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = spawn(*worker_args("w1"))
    wait_until(lambda: live(alias, "w1"), 60, "worker w1 running")
    alerts = build_alert_services(alias)
    rule = alerts.rules.create(
        AlertRule(
            name="default stuck",
            kind=AlertKind.NO_LIVE_WORKER,
            queue="default",
            threshold=SILENCE,
            for_seconds=FOR_SECONDS,
            renotify_seconds=0,
            channels=[webhook(receiver)],
        )
    )
    # Before run_alerts starts, the worker's own maintenance evaluates the rule.
    assert rule.id is not None
    wait_until(
        lambda: alerts.rules.get(rule.id or 0).last_evaluated_at is not None,
        30,
        "the worker's maintenance to evaluate the rule",
    )
    spawn("run_alerts", "--interval", str(INTERVAL))
    time.sleep(3 * INTERVAL)
    assert receiver.posts == []  # the worker lives: nothing to say

    os.killpg(first.pid, signal.SIGKILL)
    killed = time.monotonic()
    wait_until(lambda: "firing" in events(receiver), 60, "the firing POST")
    fired_after = time.monotonic() - killed
    time.sleep(3 * INTERVAL)
    assert events(receiver) == ["firing"]
    # Within for_seconds and one evaluation interval (the last heartbeat precedes the
    # kill, and "for" counts from it); a second of slack for process start-up jitter on
    # a loaded machine.
    assert fired_after <= FOR_SECONDS + INTERVAL + 1.0, fired_after

    spawn(*worker_args("w2"))
    started = time.monotonic()
    wait_until(lambda: "resolved" in events(receiver), 60, "the resolved POST")
    resolved_after = time.monotonic() - started
    time.sleep(3 * INTERVAL)
    assert events(receiver) == ["firing", "resolved"]
    with capsys.disabled():
        print(
            f"\n[{connections[alias].vendor}] no_live_worker: "
            f"SIGKILL -> firing POST {fired_after:.2f}s; "
            f"worker start -> resolved POST {resolved_after:.2f}s (includes its start-up)"
        )


FAULTS: dict[AlertKind, dict[str, object]] = {
    AlertKind.OLDEST_READY_AGE: {"queue": "aged", "threshold": 1},
    AlertKind.FAILURE_RATE: {"task": "app.flaky", "threshold": 50, "min_count": 1},
    AlertKind.TASK_FAILED: {"task": "app.doomed"},
    AlertKind.DEAD_WORKER_HOLDING_TASKS: {},
    AlertKind.SCHEDULE_MISSED: {"threshold": 1},
}
FAULT_FOR = 2


def test_time_from_fault_to_notification_for_each_kind(
    alias: str,
    receiver: Receiver,
    spawn: Callable[..., subprocess.Popen[bytes]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    alerts = build_alert_services(alias)
    for kind, fields in FAULTS.items():
        alerts.rules.create(
            AlertRule(
                name=kind.value,
                kind=kind,
                for_seconds=FAULT_FOR,
                renotify_seconds=0,
                channels=[webhook(receiver)],
                **fields,  # type: ignore[arg-type]
            )
        )
    spawn("run_alerts", "--interval", str(INTERVAL))
    time.sleep(2 * INTERVAL)
    assert receiver.posts == []
    now = DatabaseClock(alias).now()
    faulted = time.monotonic()
    add_task(alias, now, queue="aged", run_after=now)
    failed = add_task(alias, now, status="failed", name="app.flaky", finished_at=now)
    TaskEvent.objects.using(alias).create(
        task=failed, from_status="running", to_status="failed", at=now, attempt=1, actor="w"
    )
    add_task(alias, now, status="failed", name="app.doomed", finished_at=now)
    gone = add_worker(alias, now - timedelta(seconds=5), ["x"], state="dead")
    add_task(alias, now, status="running", worker_id=gone, queue="x")
    ScheduleRecord.objects.using(alias).create(
        name="late", task="demo.tasks.quick", interval_seconds=60, next_run_at=now
    )
    wait_until(lambda: len(receiver.posts) >= len(FAULTS), 60, "a firing POST per rule")
    time.sleep(2 * INTERVAL)
    arrivals = {p["body"]["rule"]: p["arrived"] - faulted for p in receiver.posts}
    assert sorted(arrivals) == sorted(kind.value for kind in FAULTS)
    assert events(receiver) == ["firing"] * len(FAULTS)
    with capsys.disabled():
        vendor = connections[alias].vendor
        print(f"\n[{vendor}] fault -> firing POST, for {FAULT_FOR}s, interval {INTERVAL}s:")
        for name, seconds in sorted(arrivals.items(), key=lambda item: item[1]):
            print(f"  {name}: {seconds:.2f}s")
    for kind, seconds in arrivals.items():
        # The delay a threshold in seconds adds (the condition begins once it is passed).
        delay = 1 if kind in ("oldest_ready_age", "schedule_missed") else 0
        assert seconds <= delay + FAULT_FOR + INTERVAL + 1.0, (kind, seconds)
