"""One rule for a silent worker: /readyz, /metrics, the worker pages and the maintenance
sweep call the same worker gone at the same moment (scheduler_core/domain/liveness.py).

/readyz and /metrics once counted a worker stale after one lease, while the pages and the
sweep waited a lease and a heartbeat interval: for 20 s of every death, with the default
lease, the probe said stale and the worker page said running.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from dashboard.workers.health import shown_state, stale_after
from scheduler_core.bootstrap import Services
from scheduler_core.conf import scheduler_conf
from scheduler_core.domain import Worker

# With the default lease of 60 s a worker beats every 20 s and is gone after 80 s of silence.
LEASE = timedelta(seconds=60)


def _live_workers_gauge() -> float:
    body = Client().get("/metrics").content.decode()
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == "scheduler_workers_live":
                return sample.value
    raise AssertionError("no scheduler_workers_live in /metrics")


@pytest.mark.parametrize(("silent_for", "gone"), [(70, False), (90, True)])
def test_every_door_calls_a_silent_worker_gone_at_the_same_moment(
    services: Services, silent_for: int, gone: bool
) -> None:
    now = services.clock.now()
    last = now - timedelta(seconds=silent_for)
    worker = Worker(
        id="quiet-1",
        hostname="h",
        pid=1,
        queues=("default",),
        concurrency=1,
        started_at=last,
        last_heartbeat=last,
    )
    services.workers.register(worker)
    services.workers.start(worker.id)

    ready = Client().get("/readyz").json()
    live = _live_workers_gauge()
    shown = shown_state(services.workers.get_worker(worker.id), now, stale_after())
    declared = services.workers.mark_stale_workers_dead(scheduler_conf().stale_after)

    assert stale_after() == scheduler_conf().stale_after == LEASE + LEASE / 3
    assert ready["stale_workers"] == int(gone)
    assert live == int(not gone)
    assert shown == ("stale" if gone else "running")
    assert declared == ([worker.id] if gone else [])
