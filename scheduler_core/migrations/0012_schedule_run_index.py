"""An index over the unique keys of tasks, in byte order, for the runs of each schedule.

A schedule's runs carry the key `schedule:<name>:<instant in UTC, ISO 8601>`
(scheduler_core/storage/schedule_runs.py). Without this index, "the newest runs of a
schedule" walked the task list newest first until it found them: about 150 ms per
schedule at a million tasks on PostgreSQL, and the schedules page asks once per schedule.
With it, the runs are one range of the index, newest instant last.

PostgreSQL indexes the key under the "C" collation: the database's own collation may
ignore punctuation, which would scatter `schedule:a:` keys across the index. SQLite's
default collation (BINARY) already compares bytes. Only rows with a key are indexed, so
ordinary tasks cost nothing more to write.

The SQL is written out here, not imported, so this migration keeps doing what it did when
it was written whatever later code looks like.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

INSTALL = {
    "postgresql": (
        'CREATE INDEX sched_task_key_order_idx ON scheduler_task ((unique_key COLLATE "C")) '
        "WHERE unique_key IS NOT NULL"
    ),
    "sqlite": (
        "CREATE INDEX sched_task_key_order_idx ON scheduler_task (unique_key) "
        "WHERE unique_key IS NOT NULL"
    ),
}
UNINSTALL = "DROP INDEX IF EXISTS sched_task_key_order_idx"


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Create the key index on the engines that know how (others keep the slower walk)."""
    statement = INSTALL.get(schema_editor.connection.vendor)
    if statement is not None:
        schema_editor.execute(statement, params=None)


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Drop the key index."""
    if schema_editor.connection.vendor in INSTALL:
        schema_editor.execute(UNINSTALL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_core", "0011_argument_search"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
