"""`manage.py run_alerts`: evaluate alert rules and send notifications, outside the workers.

Every worker's maintenance evaluates the rules too, but a rule such as no_live_worker
must fire when every worker is dead; this loop does not depend on any of them. `make run`
starts it beside the web server; run one (or more: the compare-and-swap makes each
transition notify once) next to your workers in production.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connections

from scheduler_core.alert_wiring import get_alert_services
from scheduler_core.management.arguments import positive_seconds

logger = logging.getLogger("scheduler_core.alerts")


class Command(BaseCommand):
    help = "Evaluate alert rules and send their notifications every --interval seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=positive_seconds,
            default=settings.ALERT_EVALUATION_INTERVAL,
            help="seconds between passes (default: ALERT_EVALUATION_INTERVAL, %(default)s)",
        )
        parser.add_argument("--once", action="store_true", help="run one pass and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.set()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self._loop(options["interval"], options["once"], stopping)
        finally:
            # Called in-process (tests, call_command), the caller's handlers come back.
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _loop(self, interval: float, once: bool, stopping: threading.Event) -> None:
        alerts = get_alert_services()
        logger.info("alert evaluation every %ss", interval)
        # Passes start on a fixed cadence: waiting `interval` after each pass would add the
        # pass's own duration to every period, and a rule's "for" to fire one pass later.
        due = time.monotonic()
        while True:
            try:
                close_old_connections()
                evaluation, delivery = alerts.run_pass()
                if evaluation.moves or delivery.sent or delivery.failed:
                    logger.info(
                        "alerts: %d moves, %d sent, %d failed",
                        evaluation.moves,
                        delivery.sent,
                        delivery.failed,
                    )
            except Exception:
                # The database may be away; the loop outlives it and tries again.
                logger.exception("alert pass failed; the next one retries")
                connections.close_all()
            due += interval
            now = time.monotonic()
            # A pass that overran its period starts the next at once, without catch-up bursts.
            due = max(due, now)
            if once or stopping.wait(due - now):
                break
        connections.close_all()
