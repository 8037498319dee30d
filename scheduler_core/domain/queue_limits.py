"""Per-queue concurrency limits: how many tasks of a queue may run at once across all workers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# Far above any real worker pool; a bigger number is a typo, not a wish.
MAX_QUEUE_LIMIT = 100_000


def check_queue_limit(limit: int | None) -> None:
    """Raise ValueError unless `limit` is None (no limit) or a whole number from 1 up."""
    if limit is None:
        return
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_QUEUE_LIMIT:
        raise ValueError(f"a queue limit must be a whole number from 1 to {MAX_QUEUE_LIMIT}")


def cap_claim(
    queues: Sequence[str],
    batch: int,
    limits: Mapping[str, int],
    running: Mapping[str, int],
) -> tuple[list[str], int]:
    """The queues a claim may take from, and its batch size, so that no limit is exceeded.

    A limited queue with no free slot is left out. The batch shrinks to the fewest free slots
    among the limited queues kept: one claim statement keeps the global claim order across
    queues, and no queue can then get more tasks than it has room for. The cost is a smaller
    batch while a limited queue is nearly full; the next claim finds it full and skips it.
    """
    kept: list[str] = []
    for queue in queues:
        limit = limits.get(queue)
        if limit is None:
            kept.append(queue)
            continue
        free = limit - running.get(queue, 0)
        if free > 0:
            kept.append(queue)
            batch = min(batch, free)
    return kept, batch
