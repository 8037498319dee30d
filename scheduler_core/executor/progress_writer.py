"""The progress writer: stores running attempts' latest progress, at most once a second.

Started by the supervisor on the first report, so a worker whose tasks never report has
no such thread. Reports of one attempt arriving within a second replace each other; each
second the writer stores the latest of every attempt that reported, in one transaction
of fenced UPDATEs (storage/progress_writes.py). Kept apart from the outcome writer so
that progress never delays an outcome, and from the heartbeat so that a bar moves every
second whatever the heartbeat interval (docs/tasks.md gives the measured cost).
"""

from __future__ import annotations

import logging
import threading
import time
from uuid import UUID

from django.db import connections

from scheduler_core.bootstrap import Services
from scheduler_core.domain.progress import PROGRESS_INTERVAL, Progress

logger = logging.getLogger(__name__)


class ProgressWriter(threading.Thread):
    """Writes the latest progress of each reporting attempt, once per PROGRESS_INTERVAL."""

    def __init__(self, services: Services, interval: float = PROGRESS_INTERVAL) -> None:
        super().__init__(name="progress-writer", daemon=True)
        self.services = services
        self.interval = interval
        # (task id, attempt) -> (holder, latest report), waiting for the next write.
        self._latest: dict[tuple[UUID, int], tuple[str, Progress]] = {}
        self._changed = threading.Condition()
        self.stopping = threading.Event()

    def offer(self, worker_id: str, task_id: UUID, attempt: int, progress: Progress) -> None:
        """Keep `progress` as the attempt's latest report, for the next write."""
        with self._changed:
            self._latest[(task_id, attempt)] = (worker_id, progress)
            self._changed.notify()

    def stop(self) -> None:
        """End the thread after its current write (reports still waiting are dropped)."""
        self.stopping.set()
        with self._changed:
            self._changed.notify()

    def run(self) -> None:
        """Write a batch, then wait out the interval, until stopped."""
        try:
            while not self.stopping.is_set():
                with self._changed:
                    self._changed.wait_for(lambda: self._latest or self.stopping.is_set())
                    batch, self._latest = self._latest, {}
                if batch and not self.stopping.is_set():
                    self._write(batch)
                    self.stopping.wait(self.interval)
        finally:
            connections.close_all()

    def _write(self, batch: dict[tuple[UUID, int], tuple[str, Progress]]) -> None:
        by_worker: dict[str, list[tuple[UUID, int, Progress]]] = {}
        for (task_id, attempt), (worker_id, progress) in batch.items():
            by_worker.setdefault(worker_id, []).append((task_id, attempt, progress))
        began = time.monotonic()
        try:
            for worker_id, reports in by_worker.items():
                self.services.workers.record_progress(worker_id, reports)
        except Exception:
            # Progress is a view, not a promise: a lost report is replaced by the next one.
            logger.warning("writing the progress of %d tasks failed", len(batch), exc_info=True)
            connections.close_all()
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("wrote %d progress reports in %.4fs", len(batch), time.monotonic() - began)
