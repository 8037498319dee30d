"""The transition log keeps no foreign key to its task; a trigger deletes a task's log with it.

Each task writes two log rows, and each row's key was checked when its transaction
committed: PostgreSQL's deferred referential trigger looked the task row up and locked it,
row by row, and SQLite looked it up under its write lock. In a drain of no-op tasks on
PostgreSQL that was 7 to 8 % of the server's CPU (docs/performance.md, round 20), for what
the writers guarantee anyway: every log row is written in the statement or transaction that
changes its task's row, holding that row's lock, so its task exists when it commits.

What the key also did, deleting a task's log with the task, stays, as a trigger on every
delete of tasks (the services', raw SQL, the admin's, pruning): on PostgreSQL one per
statement over the deleted rows, as the search side table's (0023); on SQLite one per row.
A TRUNCATE of the task table on PostgreSQL empties the log as well.

SQLite cannot drop a table's REFERENCES clause, so Django rebuilds the log table, which
drops the triggers defined on it (the counters', 0008). Their SQL is read before the
rebuild and run again after it.

The SQL is written out here, not imported, so this migration keeps doing what it did when
it was written whatever later code looks like.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLE = "scheduler_task_event"

POSTGRES_INSTALL = [
    """
CREATE FUNCTION sched_delete_task_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM scheduler_task_event AS e USING old_rows AS o WHERE e.task_id = o.id;
  ELSIF EXISTS (SELECT FROM scheduler_task_event) THEN
    -- Not when the same TRUNCATE emptied the log already (Django's flush names every
    -- table in one statement), which would refuse a second TRUNCATE of it.
    TRUNCATE scheduler_task_event;
  END IF;
  RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER sched_event_task_delete AFTER DELETE ON scheduler_task
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sched_delete_task_events()
""",
    """
CREATE TRIGGER sched_event_task_truncate AFTER TRUNCATE ON scheduler_task
FOR EACH STATEMENT EXECUTE FUNCTION sched_delete_task_events()
""",
]
POSTGRES_UNINSTALL = [
    "DROP TRIGGER IF EXISTS sched_event_task_truncate ON scheduler_task",
    "DROP TRIGGER IF EXISTS sched_event_task_delete ON scheduler_task",
    "DROP FUNCTION IF EXISTS sched_delete_task_events()",
]
SQLITE_INSTALL = [
    """
CREATE TRIGGER sched_event_task_delete AFTER DELETE ON scheduler_task
BEGIN
  DELETE FROM scheduler_task_event WHERE task_id = OLD.id;
END
""",
]
SQLITE_UNINSTALL = ["DROP TRIGGER IF EXISTS sched_event_task_delete"]

# The SQL of the log table's own triggers on SQLite, read before its rebuild (per alias).
_KEPT: dict[str, list[str]] = {}


def _triggers_of_the_log(schema_editor: BaseDatabaseSchemaEditor) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s ORDER BY name",
            [TABLE],
        )
        return [row[0] for row in cursor.fetchall()]


def keep_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """SQLite: note the log table's triggers, which its rebuild is about to drop."""
    if schema_editor.connection.vendor == "sqlite":
        _KEPT[schema_editor.connection.alias] = _triggers_of_the_log(schema_editor)


def restore_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """SQLite: create again the log table's triggers that its rebuild dropped."""
    if schema_editor.connection.vendor != "sqlite":
        return
    present = set(_triggers_of_the_log(schema_editor))
    for sql in _KEPT.pop(schema_editor.connection.alias, []):
        if sql not in present:
            schema_editor.execute(sql, params=None)


def _run(schema_editor: BaseDatabaseSchemaEditor, by_vendor: dict[str, list[str]]) -> None:
    for statement in by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Delete a task's log with the task, by trigger."""
    _run(schema_editor, {"postgresql": POSTGRES_INSTALL, "sqlite": SQLITE_INSTALL})


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Drop the trigger (the foreign key, put back, deletes the log again)."""
    _run(schema_editor, {"postgresql": POSTGRES_UNINSTALL, "sqlite": SQLITE_UNINSTALL})


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_core", "0025_no_index_repeating_another"),
    ]

    operations = [
        migrations.RunPython(keep_triggers, restore_triggers),
        migrations.AlterField(
            model_name="taskevent",
            name="task",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=models.DO_NOTHING,
                related_name="events",
                to="scheduler_core.taskrecord",
            ),
        ),
        migrations.RunPython(restore_triggers, keep_triggers),
        migrations.RunPython(install, uninstall),
    ]
