"""Maintenance every worker runs: rescue, promotion, dead workers, the schedule ticker, the
metrics rollup, the planner's statistics, alerts.

Every step is idempotent and fenced, so all workers may run it at once; the more workers,
the sooner a dead one's tasks come back.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import timedelta

from django.db import connections

from scheduler_core.alert_wiring import AlertServices
from scheduler_core.bootstrap import Services

logger = logging.getLogger(__name__)


class MaintenanceThread(threading.Thread):
    """Runs the rescuer, the promoter, the stale-worker check and the ticker every interval."""

    def __init__(
        self,
        *,
        services: Services,
        interval: float,
        stale_after: timedelta,
        alerts: AlertServices | None = None,
    ) -> None:
        super().__init__(name="maintenance", daemon=True)
        self.services = services
        self.alerts = alerts
        self.interval = interval
        self.stale_after = stale_after
        self.stopping = threading.Event()

    def run(self) -> None:
        """Work until stopped, with jitter so many workers do not all query at once."""
        try:
            while not self.stopping.wait(self.interval * random.uniform(0.5, 1.5)):
                self.run_once()
        finally:
            connections.close_all()

    def run_once(self) -> None:
        """One pass of every maintenance job; a failing job is logged and retried next pass."""
        # Each job apart from the others: a failing rescue never holds the schedules back,
        # the rollup and the statistics may fail on their own, and alerts are evaluated even
        # when every job before them fails.
        jobs: list[tuple[str, Callable[[], object]]] = [
            ("maintenance pass", self._rescue_and_promote)
        ]
        # The storage's optional parts (the in-memory storage keeps no metrics, for one).
        if (ticker := getattr(self.services, "ticker", None)) is not None:
            jobs.append(("schedule ticker", ticker.tick))
        if (metrics := getattr(self.services, "metrics", None)) is not None:
            jobs.append(("metrics rollup", metrics.roll_up))
        if (statistics := getattr(self.services, "statistics", None)) is not None:
            jobs.append(("gathering planner statistics", statistics.refresh))
        if self.alerts is not None:
            jobs.append(("alert evaluation", self.alerts.run_pass))
        for what, job in jobs:
            try:
                job()
            except Exception:
                logger.exception("%s failed; the next pass retries", what)
                connections.close_all()

    def _rescue_and_promote(self) -> None:
        dead = self.services.workers.mark_stale_workers_dead(self.stale_after)
        if dead:
            logger.warning("declared stale workers stopped: %s", ", ".join(dead))
        report = self.services.rescuer.rescue_expired()
        if report.rescued:
            logger.warning(
                "rescued %d tasks with expired leases (%d retried, %d failed, %d cancelled)",
                report.rescued,
                report.retried,
                report.failed,
                report.cancelled,
            )
        promoter = getattr(self.services, "promoter", None)
        if promoter is not None:
            promoter.promote_due()
