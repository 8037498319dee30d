"""The counters on PostgreSQL: statement-level triggers over transition tables, and backfill.

Each trigger runs once per statement and applies one grouped upsert, so a claim of 100
rows writes one row per (queue, status), not 100. Each connection writes its own shard
(backend pid modulo SHARDS), so concurrent writers seldom wait for each other's rows;
the upserts take their rows in a fixed order, so two writers that share a shard queue
rather than deadlock within one statement.
"""

from __future__ import annotations

from scheduler_core.models.counters import SHARDS

from . import events
from .statements import (
    ACTIVITY_COLUMNS,
    SUMMED_ACTIVITY,
    TOTALS_COLUMNS,
    activity_select,
    rebuild,
    totals_select,
)

SHARD = f"(pg_backend_pid() % {int(SHARDS)})::smallint"
MINUTE = "(floor(extract(epoch FROM e.at) / 60) * 60)::bigint"
LIVE_WAIT = (
    f"(CASE WHEN {events.STARTED} "
    "THEN GREATEST(0.0, extract(epoch FROM (e.at - t.run_after))::float8) END)"
)
BACKFILL_WAIT = (
    f"(CASE WHEN {events.STARTED} AND e.at = t.started_at "
    "THEN GREATEST(0.0, extract(epoch FROM (e.at - t.run_after))::float8) END)"
)

_COUNT_INSERT = "INSERT INTO scheduler_queue_count AS c (queue, status, shard, n)"
_COUNT_MERGE = "ON CONFLICT (queue, status, shard) DO UPDATE SET n = c.n + EXCLUDED.n"
_ACTIVITY_MERGE = ", ".join(
    [f"{name} = a.{name} + EXCLUDED.{name}" for name in (*SUMMED_ACTIVITY, "wait_seconds_sum")]
    + ["wait_seconds_max = GREATEST(a.wait_seconds_max, EXCLUDED.wait_seconds_max)"]
)
_TOTALS_MERGE = ", ".join(f"{name} = s.{name} + EXCLUDED.{name}" for name in TOTALS_COLUMNS[1:])
_ACTIVITY_INSERT = f"INSERT INTO scheduler_activity_minute AS a ({', '.join(ACTIVITY_COLUMNS)})"
_TOTALS_INSERT = f"INSERT INTO scheduler_task_totals AS s ({', '.join(TOTALS_COLUMNS)})"

_TASK_FUNCTION = f"""
CREATE OR REPLACE FUNCTION sched_count_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_COUNT_INSERT}
    SELECT queue, status, {SHARD}, COUNT(*) FROM new_rows
    GROUP BY queue, status ORDER BY queue, status
    {_COUNT_MERGE};
    INSERT INTO scheduler_task_totals AS s (shard, enqueued)
    SELECT {SHARD}, COUNT(*) FROM new_rows HAVING COUNT(*) > 0
    ON CONFLICT (shard) DO UPDATE SET enqueued = s.enqueued + EXCLUDED.enqueued;
  ELSIF TG_OP = 'DELETE' THEN
    {_COUNT_INSERT}
    SELECT queue, status, {SHARD}, -COUNT(*) FROM old_rows
    GROUP BY queue, status ORDER BY queue, status
    {_COUNT_MERGE};
  ELSE
    -- Only rows whose status or queue changed; a lease extension moves nothing.
    WITH moved AS (
      SELECT o.queue AS old_queue, o.status AS old_status,
             n.queue AS new_queue, n.status AS new_status
      FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
      WHERE o.status <> n.status OR o.queue <> n.queue
    ), deltas AS (
      SELECT old_queue AS queue, old_status AS status, -1 AS delta FROM moved
      UNION ALL
      SELECT new_queue, new_status, 1 FROM moved
    )
    {_COUNT_INSERT}
    SELECT queue, status, {SHARD}, SUM(delta) FROM deltas
    GROUP BY queue, status HAVING SUM(delta) <> 0 ORDER BY queue, status
    {_COUNT_MERGE};
  END IF;
  RETURN NULL;
END
$$
"""

_EVENT_FUNCTION = f"""
CREATE OR REPLACE FUNCTION sched_count_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {_ACTIVITY_INSERT}
  {activity_select(minute=MINUTE, wait=LIVE_WAIT, shard=SHARD, source="new_rows", scope="TRUE")}
  ORDER BY 1, 2
  ON CONFLICT (minute, queue, shard) DO UPDATE SET {_ACTIVITY_MERGE};
  {_TOTALS_INSERT}
  {totals_select(shard=SHARD, source="new_rows", scope="TRUE")}
  HAVING COUNT(*) > 0
  ON CONFLICT (shard) DO UPDATE SET {_TOTALS_MERGE};
  RETURN NULL;
END
$$
"""

_TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION sched_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM scheduler_queue_count;
  RETURN NULL;
END
$$
"""

TRIGGERS = [
    _TASK_FUNCTION,
    _EVENT_FUNCTION,
    _TRUNCATE_FUNCTION,
    """
CREATE TRIGGER sched_count_task_insert AFTER INSERT ON scheduler_task
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sched_count_tasks()
""",
    """
CREATE TRIGGER sched_count_task_update AFTER UPDATE ON scheduler_task
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION sched_count_tasks()
""",
    """
CREATE TRIGGER sched_count_task_delete AFTER DELETE ON scheduler_task
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sched_count_tasks()
""",
    """
CREATE TRIGGER sched_count_task_truncate AFTER TRUNCATE ON scheduler_task
FOR EACH STATEMENT EXECUTE FUNCTION sched_count_truncate()
""",
    """
CREATE TRIGGER sched_count_event_insert AFTER INSERT ON scheduler_task_event
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sched_count_events()
""",
]

DROP = [
    "DROP TRIGGER IF EXISTS sched_count_task_insert ON scheduler_task",
    "DROP TRIGGER IF EXISTS sched_count_task_update ON scheduler_task",
    "DROP TRIGGER IF EXISTS sched_count_task_delete ON scheduler_task",
    "DROP TRIGGER IF EXISTS sched_count_task_truncate ON scheduler_task",
    "DROP TRIGGER IF EXISTS sched_count_event_insert ON scheduler_task_event",
    "DROP FUNCTION IF EXISTS sched_count_tasks()",
    "DROP FUNCTION IF EXISTS sched_count_events()",
    "DROP FUNCTION IF EXISTS sched_count_truncate()",
]

REBUILD = rebuild(
    activity_insert=_ACTIVITY_INSERT,
    totals_insert=_TOTALS_INSERT,
    minute=MINUTE,
    wait=BACKFILL_WAIT,
    true="TRUE",
)
