"""The counters on SQLite: row-level triggers (SQLite has one writer at a time) and backfill."""

from __future__ import annotations

from . import events
from .statements import (
    ACTIVITY_COLUMNS,
    SUMMED_ACTIVITY,
    TOTALS_COLUMNS,
    activity_select,
    rebuild,
    totals_select,
)

MINUTE = "(CAST(strftime('%s', e.at) AS INTEGER) / 60) * 60"
# Live, the task row holds the started attempt's due time (run_after) as the log row is
# written; in the backfill only for a task's latest start (started_at = the log row's time).
LIVE_WAIT = (
    f"(CASE WHEN {events.STARTED} "
    "THEN max(0.0, (julianday(e.at) - julianday(t.run_after)) * 86400.0) END)"
)
BACKFILL_WAIT = (
    f"(CASE WHEN {events.STARTED} AND e.at = t.started_at "
    "THEN max(0.0, (julianday(e.at) - julianday(t.run_after)) * 86400.0) END)"
)

_COUNT_UPSERT = """
INSERT INTO scheduler_queue_count (queue, status, shard, n) VALUES ({queue}, {status}, 0, 1)
ON CONFLICT (queue, status, shard) DO UPDATE SET n = n + 1;
"""
_COUNT_DOWN = """
UPDATE scheduler_queue_count SET n = n - 1
WHERE queue = {queue} AND status = {status} AND shard = 0;
"""
_ACTIVITY_MERGE = ", ".join(
    [f"{name} = {name} + excluded.{name}" for name in (*SUMMED_ACTIVITY, "wait_seconds_sum")]
    + [
        "wait_seconds_max = CASE WHEN wait_seconds_max IS NULL "
        "OR excluded.wait_seconds_max > wait_seconds_max "
        "THEN excluded.wait_seconds_max ELSE wait_seconds_max END"
    ]
)
_TOTALS_MERGE = ", ".join(f"{name} = {name} + excluded.{name}" for name in TOTALS_COLUMNS[1:])
_ACTIVITY_INSERT = f"INSERT INTO scheduler_activity_minute ({', '.join(ACTIVITY_COLUMNS)})"
_TOTALS_INSERT = f"INSERT INTO scheduler_task_totals ({', '.join(TOTALS_COLUMNS)})"

# The log row just written, read back by its key, so the trigger shares the backfill's SQL.
_JUST_WRITTEN = "e.id = NEW.id"
_LIVE_ACTIVITY = activity_select(
    minute=MINUTE, wait=LIVE_WAIT, shard="0", source="scheduler_task_event", scope=_JUST_WRITTEN
)
_LIVE_TOTALS = totals_select(shard="0", source="scheduler_task_event", scope=_JUST_WRITTEN)

TRIGGERS = [
    f"""
CREATE TRIGGER sched_count_task_insert AFTER INSERT ON scheduler_task
BEGIN
{_COUNT_UPSERT.format(queue="NEW.queue", status="NEW.status")}
INSERT INTO scheduler_task_totals (shard, enqueued) VALUES (0, 1)
ON CONFLICT (shard) DO UPDATE SET enqueued = enqueued + 1;
END
""",
    f"""
CREATE TRIGGER sched_count_task_update AFTER UPDATE OF status, queue ON scheduler_task
WHEN OLD.status <> NEW.status OR OLD.queue <> NEW.queue
BEGIN
{_COUNT_DOWN.format(queue="OLD.queue", status="OLD.status")}
{_COUNT_UPSERT.format(queue="NEW.queue", status="NEW.status")}
END
""",
    f"""
CREATE TRIGGER sched_count_task_delete AFTER DELETE ON scheduler_task
BEGIN
{_COUNT_DOWN.format(queue="OLD.queue", status="OLD.status")}
END
""",
    f"""
CREATE TRIGGER sched_count_event_insert AFTER INSERT ON scheduler_task_event
WHEN NEW.from_status <> NEW.to_status
BEGIN
{_ACTIVITY_INSERT}
{_LIVE_ACTIVITY}
ON CONFLICT (minute, queue, shard) DO UPDATE SET {_ACTIVITY_MERGE};
{_TOTALS_INSERT}
{_LIVE_TOTALS}
ON CONFLICT (shard) DO UPDATE SET {_TOTALS_MERGE};
END
""",
]

DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "sched_count_task_insert",
        "sched_count_task_update",
        "sched_count_task_delete",
        "sched_count_event_insert",
    )
]

REBUILD = rebuild(
    activity_insert=_ACTIVITY_INSERT,
    totals_insert=_TOTALS_INSERT,
    minute=MINUTE,
    wait=BACKFILL_WAIT,
    true="1",
)
