"""Promotion: scheduled and retrying tasks whose run_after has come are shown as ready.

Claims take due scheduled and retrying tasks directly, so promotion never makes a task run
sooner; it keeps dashboards and counts truthful about what is waiting for a worker.
"""

from __future__ import annotations

from ..domain.ports import TaskRepository

DEFAULT_PROMOTE_BATCH_SIZE = 1000


class TaskPromoter:
    """Moves due scheduled and retrying tasks to ready, a batch at a time.

    Each batch is one fenced step in the store, so any number of promoters may run beside
    the claimers: a task a claim took first is simply not promoted.
    """

    def __init__(
        self, *, tasks: TaskRepository, batch_size: int = DEFAULT_PROMOTE_BATCH_SIZE
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._tasks = tasks
        self._batch_size = batch_size

    def promote_due(self) -> int:
        """Promote every task that is due now; return how many were promoted."""
        total = 0
        # Small batches keep each write's locks short, so claims running meanwhile never stall.
        while True:
            promoted = self._tasks.promote_due(self._batch_size)
            total += promoted
            if promoted < self._batch_size:
                return total
