"""Maintenance every worker runs: rescue, promotion, dead workers, the schedule ticker, the
metrics rollup, the planner's statistics, alerts.

Every step is idempotent and fenced, so all workers may run it at once; the more workers,
the sooner a dead one's tasks come back.
"""

from __future__ import annotations

import logging
import random
import threading
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
        try:
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
        except Exception:
            logger.exception("maintenance pass failed; the next one retries")
            connections.close_all()
        # Apart from the steps above, so that a failing rescue never holds schedules back.
        ticker = getattr(self.services, "ticker", None)
        if ticker is not None:
            try:
                ticker.tick()
            except Exception:
                logger.exception("schedule ticker failed; the next pass retries")
                connections.close_all()
        # Apart too: the metrics rollup only reads finished rows, and may fail on its own.
        metrics = getattr(self.services, "metrics", None)
        if metrics is not None:
            try:
                metrics.roll_up()
            except Exception:
                logger.exception("metrics rollup failed; the next pass retries")
                connections.close_all()
        # Apart as well: statistics only help the planner, and may meet a busy database.
        statistics = getattr(self.services, "statistics", None)
        if statistics is not None:
            try:
                statistics.refresh()
            except Exception:
                logger.exception("gathering planner statistics failed; the next pass retries")
                connections.close_all()
        # Last and apart: alerts must be evaluated even when every step above fails.
        if self.alerts is not None:
            try:
                self.alerts.run_pass()
            except Exception:
                logger.exception("alert evaluation failed; the next pass retries")
                connections.close_all()
