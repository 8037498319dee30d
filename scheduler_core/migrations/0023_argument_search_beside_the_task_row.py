"""PostgreSQL: the arguments' trigram index moves off the task row, into a side table.

The trigram GIN indexes of 0011 were built on scheduler_task itself. A task changes status
several times (ready, running, succeeded), and none of those updates can be HOT (the status
is indexed), so each one inserted every trigram of the arguments into both GIN indexes
again, although the arguments never change. The cost grew with their size: with 1.3 KB of
arguments, a claim and its outcome cost the server 378 to 434 µs per task, against 122 to
154 µs without those indexes (docs/performance.md, round 15).

scheduler_task_search holds the upper-cased JSON text of each task's args and kwargs,
written once when the task is inserted, and carries the trigram indexes. Triggers keep it
in step with every writer (services, raw SQL, COPY, the admin, pruning): statement-level
over transition tables for inserts and deletes, a row trigger that fires only when an
UPDATE sets args or kwargs to something else, and TRUNCATE. No foreign key: its check would
lock the task row for every insert. SQLite already searches a side table (FTS5, 0011).

The SQL is written out here, not imported, so this migration keeps doing what it did when
it was written whatever later code looks like.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# Empty args and kwargs are stored as NULL: no term the index serves (3 characters or more)
# occurs in "[]" or "{}", and most tasks have no kwargs.
_ARGS = "NULLIF(UPPER((args)::text), '[]')"
_KWARGS = "NULLIF(UPPER((kwargs)::text), '{}')"

POSTGRES_INSTALL = [
    """
CREATE TABLE scheduler_task_search (
    task_id uuid PRIMARY KEY,
    args_upper text,
    kwargs_upper text
)
""",
    f"""
CREATE FUNCTION sched_search_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO scheduler_task_search (task_id, args_upper, kwargs_upper)
    SELECT id, {_ARGS}, {_KWARGS} FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    DELETE FROM scheduler_task_search AS s USING old_rows AS o WHERE s.task_id = o.id;
  ELSE
    TRUNCATE scheduler_task_search;
  END IF;
  RETURN NULL;
END
$$
""",
    f"""
CREATE FUNCTION sched_search_task_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE scheduler_task_search
  SET args_upper = NULLIF(UPPER((NEW.args)::text), '[]'),
      kwargs_upper = NULLIF(UPPER((NEW.kwargs)::text), '{{}}')
  WHERE task_id = NEW.id;
  RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER sched_search_task_insert AFTER INSERT ON scheduler_task
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sched_search_tasks()
""",
    """
CREATE TRIGGER sched_search_task_delete AFTER DELETE ON scheduler_task
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sched_search_tasks()
""",
    """
CREATE TRIGGER sched_search_task_truncate AFTER TRUNCATE ON scheduler_task
FOR EACH STATEMENT EXECUTE FUNCTION sched_search_tasks()
""",
    # Status changes never set the arguments, so this trigger is not even considered for
    # them; an ORM save sets every column, and the WHEN skips it unless they changed.
    """
CREATE TRIGGER sched_search_task_update AFTER UPDATE OF args, kwargs ON scheduler_task
FOR EACH ROW WHEN (OLD.args IS DISTINCT FROM NEW.args OR OLD.kwargs IS DISTINCT FROM NEW.kwargs)
EXECUTE FUNCTION sched_search_task_changed()
""",
    # The backfill, then the indexes (built once over the filled table, not row by row).
    f"""
INSERT INTO scheduler_task_search (task_id, args_upper, kwargs_upper)
SELECT id, {_ARGS}, {_KWARGS} FROM scheduler_task
""",
    "CREATE INDEX sched_search_args_trgm_idx ON scheduler_task_search "
    "USING gin (args_upper gin_trgm_ops)",
    "CREATE INDEX sched_search_kwargs_trgm_idx ON scheduler_task_search "
    "USING gin (kwargs_upper gin_trgm_ops)",
    "DROP INDEX IF EXISTS sched_task_kwargs_trgm_idx",
    "DROP INDEX IF EXISTS sched_task_args_trgm_idx",
]
POSTGRES_UNINSTALL = [
    "CREATE INDEX IF NOT EXISTS sched_task_args_trgm_idx ON scheduler_task "
    "USING gin ((UPPER((args)::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS sched_task_kwargs_trgm_idx ON scheduler_task "
    "USING gin ((UPPER((kwargs)::text)) gin_trgm_ops)",
    "DROP TRIGGER IF EXISTS sched_search_task_update ON scheduler_task",
    "DROP TRIGGER IF EXISTS sched_search_task_truncate ON scheduler_task",
    "DROP TRIGGER IF EXISTS sched_search_task_delete ON scheduler_task",
    "DROP TRIGGER IF EXISTS sched_search_task_insert ON scheduler_task",
    "DROP FUNCTION IF EXISTS sched_search_task_changed()",
    "DROP FUNCTION IF EXISTS sched_search_tasks()",
    "DROP TABLE IF EXISTS scheduler_task_search",
]


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: list[str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in statements:
        schema_editor.execute(statement, params=None)


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Create the side table, its triggers and indexes; fill it; drop the old indexes."""
    _run(schema_editor, POSTGRES_INSTALL)


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Put the indexes back on the task table and drop the side table and its triggers."""
    _run(schema_editor, POSTGRES_UNINSTALL)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_core", "0022_claims_never_read_the_due_index"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
