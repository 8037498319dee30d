"""SQL shared by both databases: the grouped SELECTs that feed the counter tables.

Each database passes its own expressions for the minute of a timestamp, the wait of a
started attempt and the shard; the triggers run these over the rows a statement wrote,
the backfill over whole tables, so live counting and backfill cannot drift apart.
"""

from __future__ import annotations

from . import events

ACTIVITY_COLUMNS = (
    "minute",
    "queue",
    "shard",
    "started",
    "succeeded",
    "failed_attempts",
    "failed",
    "cancelled",
    "wait_count",
    "wait_seconds_sum",
    "wait_seconds_max",
)
TOTALS_COLUMNS = ("shard", "enqueued", *events.TOTALS)
SUMMED_ACTIVITY = (
    "started",
    "succeeded",
    "failed_attempts",
    "failed",
    "cancelled",
    "wait_count",
)


def _count(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def activity_select(*, minute: str, wait: str, shard: str, source: str, scope: str) -> str:
    """Per (minute, queue): the activity columns of the log rows `e` of `source` in scope.

    `wait` is NULL for rows that are not a start (or whose wait is unknown), so COUNT, SUM
    and MAX over it see the starts' waits only.
    """
    counts = ", ".join(_count(events.ACTIVITY[name]) for name in SUMMED_ACTIVITY[:-1])
    return f"""
SELECT {minute} AS minute, t.queue, {shard}, {counts},
       COUNT({wait}), COALESCE(SUM({wait}), 0.0), MAX({wait})
FROM {source} AS e
JOIN scheduler_task AS t ON t.id = e.task_id
WHERE {events.IN_ACTIVITY} AND {scope}
GROUP BY 1, 2
"""


def totals_select(*, shard: str, source: str, scope: str, enqueued: str = "0") -> str:
    """One row: the totals columns counted over the log rows `e` of `source` in scope."""
    counts = ", ".join(f"COALESCE({_count(condition)}, 0)" for condition in events.TOTALS.values())
    return f"""
SELECT {shard}, {enqueued}, {counts}
FROM {source} AS e
WHERE {events.MOVED} AND {scope}
"""


def rebuild(
    *, activity_insert: str, totals_insert: str, minute: str, wait: str, true: str
) -> list[str]:
    """Statements that recount every counter from the tables, all into shard 0.

    The engines differ only in the INSERT heads, the minute and wait expressions and how
    they spell a true condition.
    """
    return [
        "DELETE FROM scheduler_queue_count",
        "INSERT INTO scheduler_queue_count (queue, status, shard, n) "
        "SELECT queue, status, 0, COUNT(*) FROM scheduler_task GROUP BY queue, status",
        "DELETE FROM scheduler_activity_minute",
        activity_insert
        + activity_select(
            minute=minute, wait=wait, shard="0", source="scheduler_task_event", scope=true
        ),
        "DELETE FROM scheduler_task_totals",
        totals_insert
        + totals_select(
            shard="0",
            source="scheduler_task_event",
            scope=true,
            enqueued="(SELECT COUNT(*) FROM scheduler_task)",
        ),
    ]
