"""The task authors' toolkit (docs/tasks.md): the first attempt's start, the run_after a
submitter asked for, the snooze count, and the latest progress report of a running task.

Added with ALTER TABLE ADD COLUMN on both engines, like 0013 and 0016: Django's SQLite
schema editor would rebuild the task table, which breaks the triggers that name it.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

_DATETIME = {"postgresql": "timestamp with time zone", "sqlite": "datetime"}
_JSON = {"postgresql": "jsonb", "sqlite": "text"}
_COLUMNS = ("progress", "snoozes", "requested_run_after", "first_started_at")


def add_columns(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in (
        f"ALTER TABLE scheduler_task ADD COLUMN first_started_at {_DATETIME[vendor]} NULL",
        f"ALTER TABLE scheduler_task ADD COLUMN requested_run_after {_DATETIME[vendor]} NULL",
        "ALTER TABLE scheduler_task ADD COLUMN snoozes smallint NOT NULL DEFAULT 0",
        f"ALTER TABLE scheduler_task ADD COLUMN progress {_JSON[vendor]} NULL",
    ):
        schema_editor.execute(sql)


def drop_columns(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for column in _COLUMNS:
        schema_editor.execute(f"ALTER TABLE scheduler_task DROP COLUMN {column}")


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_core", "0017_operator_dashboard"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
            state_operations=[
                migrations.AddField(
                    model_name="taskrecord",
                    name="first_started_at",
                    field=models.DateTimeField(blank=True, null=True),
                ),
                migrations.AddField(
                    model_name="taskrecord",
                    name="progress",
                    field=models.JSONField(blank=True, null=True),
                ),
                migrations.AddField(
                    model_name="taskrecord",
                    name="requested_run_after",
                    field=models.DateTimeField(blank=True, null=True),
                ),
                migrations.AddField(
                    model_name="taskrecord",
                    name="snoozes",
                    field=models.SmallIntegerField(db_default=0, default=0),
                ),
            ],
        ),
    ]
