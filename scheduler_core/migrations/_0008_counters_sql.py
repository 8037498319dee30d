"""The counter SQL exactly as migration 0008 installs (forward) and drops (backward), frozen.

Copied verbatim from scheduler_core/storage/counters/ (postgres.py and sqlite.py, with
statements.py and events.py) as they stood when 0008 was written, so that a fresh `migrate`
installs what 0008 always installed, whatever those live modules say later. A change to
the live counter SQL must come with a new migration that freezes its own copy:
tests/unit/storage/test_frozen_counters.py compares the live modules with the newest frozen
copy and fails until then.

One string per statement, one literal per line, so that trailing spaces survive editors.
Django loads no migration from a module whose name starts with an underscore.
"""

from __future__ import annotations

from typing import NamedTuple


class CounterSQL(NamedTuple):
    """One engine's statements, each executed as it stands, without parameters."""

    # Remove the triggers (and PostgreSQL's trigger functions); run first on install too.
    drop: tuple[str, ...]
    # Create the triggers that keep the counter tables exact.
    triggers: tuple[str, ...]
    # Recount the counter tables from the rows already stored (the backfill).
    rebuild: tuple[str, ...]


POSTGRESQL = CounterSQL(
    drop=(
        "DROP TRIGGER IF EXISTS sched_count_task_insert ON scheduler_task",
        "DROP TRIGGER IF EXISTS sched_count_task_update ON scheduler_task",
        "DROP TRIGGER IF EXISTS sched_count_task_delete ON scheduler_task",
        "DROP TRIGGER IF EXISTS sched_count_task_truncate ON scheduler_task",
        "DROP TRIGGER IF EXISTS sched_count_event_insert ON scheduler_task_event",
        "DROP FUNCTION IF EXISTS sched_count_tasks()",
        "DROP FUNCTION IF EXISTS sched_count_events()",
        "DROP FUNCTION IF EXISTS sched_count_truncate()",
    ),
    triggers=(
        (
            "\n"
            "CREATE OR REPLACE FUNCTION sched_count_tasks() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  IF TG_OP = 'INSERT' THEN\n"
            "    INSERT INTO scheduler_queue_count AS c (queue, status, shard, n)\n"
            "    SELECT queue, status, (pg_backend_pid() % 16)::smallint, COUNT(*) FROM new_rows\n"
            "    GROUP BY queue, status ORDER BY queue, status\n"
            "    ON CONFLICT (queue, status, shard) DO UPDATE SET n = c.n + EXCLUDED.n;\n"
            "    INSERT INTO scheduler_task_totals AS s (shard, enqueued)\n"
            "    SELECT (pg_backend_pid() % 16)::smallint, COUNT(*) FROM new_rows HAVING COUNT(*) > 0\n"
            "    ON CONFLICT (shard) DO UPDATE SET enqueued = s.enqueued + EXCLUDED.enqueued;\n"
            "  ELSIF TG_OP = 'DELETE' THEN\n"
            "    INSERT INTO scheduler_queue_count AS c (queue, status, shard, n)\n"
            "    SELECT queue, status, (pg_backend_pid() % 16)::smallint, -COUNT(*) FROM old_rows\n"
            "    GROUP BY queue, status ORDER BY queue, status\n"
            "    ON CONFLICT (queue, status, shard) DO UPDATE SET n = c.n + EXCLUDED.n;\n"
            "  ELSE\n"
            "    -- Only rows whose status or queue changed; a lease extension moves nothing.\n"
            "    WITH moved AS (\n"
            "      SELECT o.queue AS old_queue, o.status AS old_status,\n"
            "             n.queue AS new_queue, n.status AS new_status\n"
            "      FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id\n"
            "      WHERE o.status <> n.status OR o.queue <> n.queue\n"
            "    ), deltas AS (\n"
            "      SELECT old_queue AS queue, old_status AS status, -1 AS delta FROM moved\n"
            "      UNION ALL\n"
            "      SELECT new_queue, new_status, 1 FROM moved\n"
            "    )\n"
            "    INSERT INTO scheduler_queue_count AS c (queue, status, shard, n)\n"
            "    SELECT queue, status, (pg_backend_pid() % 16)::smallint, SUM(delta) FROM deltas\n"
            "    GROUP BY queue, status HAVING SUM(delta) <> 0 ORDER BY queue, status\n"
            "    ON CONFLICT (queue, status, shard) DO UPDATE SET n = c.n + EXCLUDED.n;\n"
            "  END IF;\n"
            "  RETURN NULL;\n"
            "END\n"
            "$$\n"
        ),
        (
            "\n"
            "CREATE OR REPLACE FUNCTION sched_count_events() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  INSERT INTO scheduler_activity_minute AS a (minute, queue, shard, started, succeeded, failed_attempts, failed, cancelled, wait_count, wait_seconds_sum, wait_seconds_max)\n"
            "  \n"
            "SELECT (floor(extract(epoch FROM e.at) / 60) * 60)::bigint AS minute, t.queue, (pg_backend_pid() % 16)::smallint, SUM(CASE WHEN e.to_status = 'running' THEN 1 ELSE 0 END), SUM(CASE WHEN e.to_status = 'succeeded' THEN 1 ELSE 0 END), SUM(CASE WHEN (e.from_status = 'running' AND e.to_status IN ('retrying', 'failed')) THEN 1 ELSE 0 END), SUM(CASE WHEN e.to_status = 'failed' THEN 1 ELSE 0 END), SUM(CASE WHEN e.to_status = 'cancelled' THEN 1 ELSE 0 END),\n"
            "       COUNT((CASE WHEN e.to_status = 'running' THEN GREATEST(0.0, extract(epoch FROM (e.at - t.run_after))::float8) END)), COALESCE(SUM((CASE WHEN e.to_status = 'running' THEN GREATEST(0.0, extract(epoch FROM (e.at - t.run_after))::float8) END)), 0.0), MAX((CASE WHEN e.to_status = 'running' THEN GREATEST(0.0, extract(epoch FROM (e.at - t.run_after))::float8) END))\n"
            "FROM new_rows AS e\n"
            "JOIN scheduler_task AS t ON t.id = e.task_id\n"
            "WHERE (e.from_status <> e.to_status AND (e.to_status = 'running' OR e.to_status = 'succeeded' OR e.to_status = 'cancelled' OR e.to_status = 'failed' OR (e.from_status = 'running' AND e.to_status IN ('retrying', 'failed')))) AND TRUE\n"
            "GROUP BY 1, 2\n"
            "\n"
            "  ORDER BY 1, 2\n"
            "  ON CONFLICT (minute, queue, shard) DO UPDATE SET started = a.started + EXCLUDED.started, succeeded = a.succeeded + EXCLUDED.succeeded, failed_attempts = a.failed_attempts + EXCLUDED.failed_attempts, failed = a.failed + EXCLUDED.failed, cancelled = a.cancelled + EXCLUDED.cancelled, wait_count = a.wait_count + EXCLUDED.wait_count, wait_seconds_sum = a.wait_seconds_sum + EXCLUDED.wait_seconds_sum, wait_seconds_max = GREATEST(a.wait_seconds_max, EXCLUDED.wait_seconds_max);\n"
            "  INSERT INTO scheduler_task_totals AS s (shard, enqueued, started, succeeded, failed, retried, cancelled, rescued)\n"
            "  \n"
            "SELECT (pg_backend_pid() % 16)::smallint, 0, COALESCE(SUM(CASE WHEN e.to_status = 'running' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'succeeded' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'failed' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'retrying' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'cancelled' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.actor = 'rescuer' THEN 1 ELSE 0 END), 0)\n"
            "FROM new_rows AS e\n"
            "WHERE e.from_status <> e.to_status AND TRUE\n"
            "\n"
            "  HAVING COUNT(*) > 0\n"
            "  ON CONFLICT (shard) DO UPDATE SET enqueued = s.enqueued + EXCLUDED.enqueued, started = s.started + EXCLUDED.started, succeeded = s.succeeded + EXCLUDED.succeeded, failed = s.failed + EXCLUDED.failed, retried = s.retried + EXCLUDED.retried, cancelled = s.cancelled + EXCLUDED.cancelled, rescued = s.rescued + EXCLUDED.rescued;\n"
            "  RETURN NULL;\n"
            "END\n"
            "$$\n"
        ),
        (
            "\n"
            "CREATE OR REPLACE FUNCTION sched_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  DELETE FROM scheduler_queue_count;\n"
            "  RETURN NULL;\n"
            "END\n"
            "$$\n"
        ),
        (
            "\n"
            "CREATE TRIGGER sched_count_task_insert AFTER INSERT ON scheduler_task\n"
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sched_count_tasks()\n"
        ),
        (
            "\n"
            "CREATE TRIGGER sched_count_task_update AFTER UPDATE ON scheduler_task\n"
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows\n"
            "FOR EACH STATEMENT EXECUTE FUNCTION sched_count_tasks()\n"
        ),
        (
            "\n"
            "CREATE TRIGGER sched_count_task_delete AFTER DELETE ON scheduler_task\n"
            "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sched_count_tasks()\n"
        ),
        (
            "\n"
            "CREATE TRIGGER sched_count_task_truncate AFTER TRUNCATE ON scheduler_task\n"
            "FOR EACH STATEMENT EXECUTE FUNCTION sched_count_truncate()\n"
        ),
        (
            "\n"
            "CREATE TRIGGER sched_count_event_insert AFTER INSERT ON scheduler_task_event\n"
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sched_count_events()\n"
        ),
    ),
    rebuild=(
        "DELETE FROM scheduler_queue_count",
        "INSERT INTO scheduler_queue_count (queue, status, shard, n) SELECT queue, status, 0, COUNT(*) FROM scheduler_task GROUP BY queue, status",
        "DELETE FROM scheduler_activity_minute",
        (
            "INSERT INTO scheduler_activity_minute AS a (minute, queue, shard, started, succeeded, failed_attempts, failed, cancelled, wait_count, wait_seconds_sum, wait_seconds_max)\n"
            "SELECT (floor(extract(epoch FROM e.at) / 60) * 60)::bigint AS minute, t.queue, 0, SUM(CASE WHEN e.to_status = 'running' THEN 1 ELSE 0 END), SUM(CASE WHEN e.to_status = 'succeeded' THEN 1 ELSE 0 END), SUM(CASE WHEN (e.from_status = 'running' AND e.to_status IN ('retrying', 'failed')) THEN 1 ELSE 0 END), SUM(CASE WHEN e.to_status = 'failed' THEN 1 ELSE 0 END), SUM(CASE WHEN e.to_status = 'cancelled' THEN 1 ELSE 0 END),\n"
            "       COUNT((CASE WHEN e.to_status = 'running' AND e.at = t.started_at THEN GREATEST(0.0, extract(epoch FROM (e.at - t.run_after))::float8) END)), COALESCE(SUM((CASE WHEN e.to_status = 'running' AND e.at = t.started_at THEN GREATEST(0.0, extract(epoch FROM (e.at - t.run_after))::float8) END)), 0.0), MAX((CASE WHEN e.to_status = 'running' AND e.at = t.started_at THEN GREATEST(0.0, extract(epoch FROM (e.at - t.run_after))::float8) END))\n"
            "FROM scheduler_task_event AS e\n"
            "JOIN scheduler_task AS t ON t.id = e.task_id\n"
            "WHERE (e.from_status <> e.to_status AND (e.to_status = 'running' OR e.to_status = 'succeeded' OR e.to_status = 'cancelled' OR e.to_status = 'failed' OR (e.from_status = 'running' AND e.to_status IN ('retrying', 'failed')))) AND TRUE\n"
            "GROUP BY 1, 2\n"
        ),
        "DELETE FROM scheduler_task_totals",
        (
            "INSERT INTO scheduler_task_totals AS s (shard, enqueued, started, succeeded, failed, retried, cancelled, rescued)\n"
            "SELECT 0, (SELECT COUNT(*) FROM scheduler_task), COALESCE(SUM(CASE WHEN e.to_status = 'running' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'succeeded' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'failed' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'retrying' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'cancelled' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.actor = 'rescuer' THEN 1 ELSE 0 END), 0)\n"
            "FROM scheduler_task_event AS e\n"
            "WHERE e.from_status <> e.to_status AND TRUE\n"
        ),
    ),
)

SQLITE = CounterSQL(
    drop=(
        "DROP TRIGGER IF EXISTS sched_count_task_insert",
        "DROP TRIGGER IF EXISTS sched_count_task_update",
        "DROP TRIGGER IF EXISTS sched_count_task_delete",
        "DROP TRIGGER IF EXISTS sched_count_event_insert",
    ),
    triggers=(
        (
            "\n"
            "CREATE TRIGGER sched_count_task_insert AFTER INSERT ON scheduler_task\n"
            "BEGIN\n"
            "\n"
            "INSERT INTO scheduler_queue_count (queue, status, shard, n) VALUES (NEW.queue, NEW.status, 0, 1)\n"
            "ON CONFLICT (queue, status, shard) DO UPDATE SET n = n + 1;\n"
            "\n"
            "INSERT INTO scheduler_task_totals (shard, enqueued) VALUES (0, 1)\n"
            "ON CONFLICT (shard) DO UPDATE SET enqueued = enqueued + 1;\n"
            "END\n"
        ),
        (
            "\n"
            "CREATE TRIGGER sched_count_task_update AFTER UPDATE OF status, queue ON scheduler_task\n"
            "WHEN OLD.status <> NEW.status OR OLD.queue <> NEW.queue\n"
            "BEGIN\n"
            "\n"
            "UPDATE scheduler_queue_count SET n = n - 1\n"
            "WHERE queue = OLD.queue AND status = OLD.status AND shard = 0;\n"
            "\n"
            "\n"
            "INSERT INTO scheduler_queue_count (queue, status, shard, n) VALUES (NEW.queue, NEW.status, 0, 1)\n"
            "ON CONFLICT (queue, status, shard) DO UPDATE SET n = n + 1;\n"
            "\n"
            "END\n"
        ),
        (
            "\n"
            "CREATE TRIGGER sched_count_task_delete AFTER DELETE ON scheduler_task\n"
            "BEGIN\n"
            "\n"
            "UPDATE scheduler_queue_count SET n = n - 1\n"
            "WHERE queue = OLD.queue AND status = OLD.status AND shard = 0;\n"
            "\n"
            "END\n"
        ),
        (
            "\n"
            "CREATE TRIGGER sched_count_event_insert AFTER INSERT ON scheduler_task_event\n"
            "WHEN NEW.from_status <> NEW.to_status\n"
            "BEGIN\n"
            "INSERT INTO scheduler_activity_minute (minute, queue, shard, started, succeeded, failed_attempts, failed, cancelled, wait_count, wait_seconds_sum, wait_seconds_max)\n"
            "\n"
            "SELECT (CAST(strftime('%s', e.at) AS INTEGER) / 60) * 60 AS minute, t.queue, 0, SUM(CASE WHEN e.to_status = 'running' THEN 1 ELSE 0 END), SUM(CASE WHEN e.to_status = 'succeeded' THEN 1 ELSE 0 END), SUM(CASE WHEN (e.from_status = 'running' AND e.to_status IN ('retrying', 'failed')) THEN 1 ELSE 0 END), SUM(CASE WHEN e.to_status = 'failed' THEN 1 ELSE 0 END), SUM(CASE WHEN e.to_status = 'cancelled' THEN 1 ELSE 0 END),\n"
            "       COUNT((CASE WHEN e.to_status = 'running' THEN max(0.0, (julianday(e.at) - julianday(t.run_after)) * 86400.0) END)), COALESCE(SUM((CASE WHEN e.to_status = 'running' THEN max(0.0, (julianday(e.at) - julianday(t.run_after)) * 86400.0) END)), 0.0), MAX((CASE WHEN e.to_status = 'running' THEN max(0.0, (julianday(e.at) - julianday(t.run_after)) * 86400.0) END))\n"
            "FROM scheduler_task_event AS e\n"
            "JOIN scheduler_task AS t ON t.id = e.task_id\n"
            "WHERE (e.from_status <> e.to_status AND (e.to_status = 'running' OR e.to_status = 'succeeded' OR e.to_status = 'cancelled' OR e.to_status = 'failed' OR (e.from_status = 'running' AND e.to_status IN ('retrying', 'failed')))) AND e.id = NEW.id\n"
            "GROUP BY 1, 2\n"
            "\n"
            "ON CONFLICT (minute, queue, shard) DO UPDATE SET started = started + excluded.started, succeeded = succeeded + excluded.succeeded, failed_attempts = failed_attempts + excluded.failed_attempts, failed = failed + excluded.failed, cancelled = cancelled + excluded.cancelled, wait_count = wait_count + excluded.wait_count, wait_seconds_sum = wait_seconds_sum + excluded.wait_seconds_sum, wait_seconds_max = CASE WHEN wait_seconds_max IS NULL OR excluded.wait_seconds_max > wait_seconds_max THEN excluded.wait_seconds_max ELSE wait_seconds_max END;\n"
            "INSERT INTO scheduler_task_totals (shard, enqueued, started, succeeded, failed, retried, cancelled, rescued)\n"
            "\n"
            "SELECT 0, 0, COALESCE(SUM(CASE WHEN e.to_status = 'running' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'succeeded' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'failed' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'retrying' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'cancelled' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.actor = 'rescuer' THEN 1 ELSE 0 END), 0)\n"
            "FROM scheduler_task_event AS e\n"
            "WHERE e.from_status <> e.to_status AND e.id = NEW.id\n"
            "\n"
            "ON CONFLICT (shard) DO UPDATE SET enqueued = enqueued + excluded.enqueued, started = started + excluded.started, succeeded = succeeded + excluded.succeeded, failed = failed + excluded.failed, retried = retried + excluded.retried, cancelled = cancelled + excluded.cancelled, rescued = rescued + excluded.rescued;\n"
            "END\n"
        ),
    ),
    rebuild=(
        "DELETE FROM scheduler_queue_count",
        "INSERT INTO scheduler_queue_count (queue, status, shard, n) SELECT queue, status, 0, COUNT(*) FROM scheduler_task GROUP BY queue, status",
        "DELETE FROM scheduler_activity_minute",
        (
            "INSERT INTO scheduler_activity_minute (minute, queue, shard, started, succeeded, failed_attempts, failed, cancelled, wait_count, wait_seconds_sum, wait_seconds_max)\n"
            "SELECT (CAST(strftime('%s', e.at) AS INTEGER) / 60) * 60 AS minute, t.queue, 0, SUM(CASE WHEN e.to_status = 'running' THEN 1 ELSE 0 END), SUM(CASE WHEN e.to_status = 'succeeded' THEN 1 ELSE 0 END), SUM(CASE WHEN (e.from_status = 'running' AND e.to_status IN ('retrying', 'failed')) THEN 1 ELSE 0 END), SUM(CASE WHEN e.to_status = 'failed' THEN 1 ELSE 0 END), SUM(CASE WHEN e.to_status = 'cancelled' THEN 1 ELSE 0 END),\n"
            "       COUNT((CASE WHEN e.to_status = 'running' AND e.at = t.started_at THEN max(0.0, (julianday(e.at) - julianday(t.run_after)) * 86400.0) END)), COALESCE(SUM((CASE WHEN e.to_status = 'running' AND e.at = t.started_at THEN max(0.0, (julianday(e.at) - julianday(t.run_after)) * 86400.0) END)), 0.0), MAX((CASE WHEN e.to_status = 'running' AND e.at = t.started_at THEN max(0.0, (julianday(e.at) - julianday(t.run_after)) * 86400.0) END))\n"
            "FROM scheduler_task_event AS e\n"
            "JOIN scheduler_task AS t ON t.id = e.task_id\n"
            "WHERE (e.from_status <> e.to_status AND (e.to_status = 'running' OR e.to_status = 'succeeded' OR e.to_status = 'cancelled' OR e.to_status = 'failed' OR (e.from_status = 'running' AND e.to_status IN ('retrying', 'failed')))) AND 1\n"
            "GROUP BY 1, 2\n"
        ),
        "DELETE FROM scheduler_task_totals",
        (
            "INSERT INTO scheduler_task_totals (shard, enqueued, started, succeeded, failed, retried, cancelled, rescued)\n"
            "SELECT 0, (SELECT COUNT(*) FROM scheduler_task), COALESCE(SUM(CASE WHEN e.to_status = 'running' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'succeeded' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'failed' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'retrying' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.to_status = 'cancelled' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN e.actor = 'rescuer' THEN 1 ELSE 0 END), 0)\n"
            "FROM scheduler_task_event AS e\n"
            "WHERE e.from_status <> e.to_status AND 1\n"
        ),
    ),
)

# connection.vendor -> the statements of that engine.
BY_VENDOR = {"postgresql": POSTGRESQL, "sqlite": SQLITE}
