"""The parts of the workloads that run inside Django: `python -m bench.child COMMAND JSON`.

The runner itself never imports Django; it starts this module with DATABASE_URL naming a
fresh bench database, and reads one JSON object from the last line of its output.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

NOOP = "demo.tasks.noop"
BULK_BATCH = 1000


def enqueue(params: dict[str, Any]) -> dict[str, Any]:
    """W1: submit tasks one service call each, then the same number through submit_many."""
    from scheduler_core.bootstrap import get_services
    from scheduler_core.domain.ports import SubmitRequest

    scheduler = get_services().tasks
    count = int(params["tasks"])
    started = time.perf_counter()
    for _ in range(count):
        scheduler.submit(SubmitRequest(name=NOOP))
    single = time.perf_counter() - started
    started = time.perf_counter()
    for first in range(0, count, BULK_BATCH):
        size = min(BULK_BATCH, count - first)
        scheduler.submit_many([SubmitRequest(name=NOOP) for _ in range(size)])
    bulk = time.perf_counter() - started
    return {"single_tasks_per_s": count / single, "bulk_tasks_per_s": count / bulk}


def submit_spaced(params: dict[str, Any]) -> dict[str, Any]:
    """W3: submit tasks `gap` seconds apart to idle workers; enqueue-to-start percentiles."""
    from scheduler_core.bootstrap import get_services
    from scheduler_core.domain.ports import SubmitRequest
    from scheduler_core.models import TaskRecord

    from .stats import percentile

    scheduler = get_services().tasks
    count, gap = int(params["tasks"]), float(params["gap"])
    ids = []
    begin = time.monotonic()
    for i in range(count):
        # Against a fixed timetable, so a slow submit does not stretch the gaps after it.
        time.sleep(max(0.0, begin + i * gap - time.monotonic()))
        ids.append(scheduler.submit(SubmitRequest(name=NOOP)).task.id)
    deadline = time.monotonic() + float(params.get("timeout", 120))
    rows = TaskRecord.objects.filter(id__in=ids)
    while rows.filter(status="succeeded").count() < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {rows.filter(status='succeeded').count()} of {count} ran")
        time.sleep(0.1)
    # Both stamps come from the database clock: enqueued_at at submit, started_at at claim.
    waits = [
        (started - enqueued).total_seconds() * 1000
        for started, enqueued in rows.values_list("started_at", "enqueued_at")
        if started is not None
    ]
    return {
        "p50_ms": percentile(waits, 50),
        "p95_ms": percentile(waits, 95),
        "p99_ms": percentile(waits, 99),
        "max_ms": max(waits),
    }


def _roll_up() -> dict[str, float]:
    """Count the loaded month into the metrics rollup, as the workers' maintenance would
    have over that month (the metrics pages read it); how long the first pass took."""
    from scheduler_core.storage.metrics_rollup import DjangoMetricsRollup

    rollup = DjangoMetricsRollup()
    started = time.perf_counter()
    rows = 0
    while (report := rollup.roll_up()).minutes_rolled:
        rows += report.rows_written
    return {"seconds": round(time.perf_counter() - started, 2), "rows_written": rows}


def pages(params: dict[str, Any]) -> dict[str, Any]:
    """W4: p50/p95 of each page for a logged-in superuser, in-process (no HTTP server)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    from .pages import PAGE_URLS
    from .stats import percentile

    setup_test_environment()
    user_model = get_user_model()
    user = user_model.objects.filter(username="bench").first()
    if user is None:
        user = user_model.objects.create_superuser("bench", "bench@example.com", None)
    client = Client()
    client.force_login(user)
    figures: dict[str, Any] = {"rollup": _roll_up()}
    for name, template in PAGE_URLS:
        url = template.format(**params["values"])
        # One untimed request first: template compilation and caches are not what we time.
        status = client.get(url).status_code
        times: list[float] = []
        deadline = time.monotonic() + float(params["seconds"])
        while len(times) < int(params["requests"]) and time.monotonic() < deadline:
            started = time.perf_counter()
            status = client.get(url).status_code
            times.append((time.perf_counter() - started) * 1000)
        figures[name] = {
            "url": url,
            "status": status,
            "requests": len(times),
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
        }
    return figures


def claims(params: dict[str, Any]) -> dict[str, Any]:
    """W6: p50/p95 of one claim of a batch over the loaded backlog, each rolled back."""
    from datetime import timedelta

    from django.db import transaction

    from scheduler_core.storage.claim import claim_ready_tasks

    from .stats import percentile

    queues = [f"q{n}" for n in range(int(params["queues"]))]
    times: list[float] = []
    for _ in range(int(params["claims"]) + 1):
        with transaction.atomic():
            started = time.perf_counter()
            claimed = claim_ready_tasks(
                "default", "bench-claimer", queues, int(params["batch"]), timedelta(seconds=60)
            )
            times.append((time.perf_counter() - started) * 1000)
            # The backlog stays as loaded, so every claim faces the same one.
            transaction.set_rollback(True)
        assert len(claimed) == int(params["batch"]), len(claimed)
    # The first claim warms caches and the plan; it is not what is timed.
    times = times[1:]
    return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95)}


def workflow_fan_in(params: dict[str, Any]) -> dict[str, Any]:
    """W7: enqueue `steps` parallel no-op steps and one after all of them; the time it took."""
    from scheduler_core.bootstrap import get_services
    from scheduler_core.services import StepRequest

    count = int(params["steps"])
    parts = [StepRequest(key=f"part-{n}", task=NOOP) for n in range(count)]
    last = StepRequest(key="last", task=NOOP, after=tuple(p.key for p in parts))
    started = time.perf_counter()
    get_services().workflows.enqueue("bench-fan-in", [*parts, last])
    return {"enqueue_s": time.perf_counter() - started}


def workflow_chain(params: dict[str, Any]) -> dict[str, Any]:
    """W7: a chain of `links` no-op steps run by waiting workers; milliseconds per link.

    Timed by the database clock, from the chain's enqueue to the last link's finish.
    """
    from django.db.models import Max, Min

    from scheduler_core.bootstrap import get_services
    from scheduler_core.models import TaskRecord
    from scheduler_core.services import StepRequest

    count = int(params["links"])
    links = [
        StepRequest(key=f"link-{n}", task=NOOP, after=(f"link-{n - 1}",) if n else ())
        for n in range(count)
    ]
    run = get_services().workflows.enqueue("bench-chain", links)
    rows = TaskRecord.objects.filter(workflow_id=run.id)
    deadline = time.monotonic() + float(params.get("timeout", 300))
    while rows.filter(status="succeeded").count() < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {rows.filter(status='succeeded').count()} of {count} ran")
        time.sleep(0.05)
    span = rows.aggregate(first=Min("enqueued_at"), last=Max("finished_at"))
    return {"ms_per_link": (span["last"] - span["first"]).total_seconds() * 1000 / count}


COMMANDS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "enqueue": enqueue,
    "submit_spaced": submit_spaced,
    "pages": pages,
    "claims": claims,
    "workflow_fan_in": workflow_fan_in,
    "workflow_chain": workflow_chain,
}


def main() -> None:
    """Set Django up, run one command, print its figures as JSON on the last line."""
    import django

    django.setup()
    command, params = sys.argv[1], json.loads(sys.argv[2])
    result = COMMANDS[command](params)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
