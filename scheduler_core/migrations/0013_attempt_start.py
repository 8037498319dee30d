"""The start of an attempt and the claims given back (worker faults: a claim that never ran).

Added with ALTER TABLE ADD COLUMN on both engines: Django's SQLite schema editor would
rebuild the task table for a NOT NULL column with a default, which breaks the counter and
search triggers that name the table.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

_DATETIME = {"postgresql": "timestamp with time zone", "sqlite": "datetime"}


def add_columns(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    datetime_type = _DATETIME[schema_editor.connection.vendor]
    schema_editor.execute(
        f"ALTER TABLE scheduler_task ADD COLUMN attempt_started_at {datetime_type} NULL"
    )
    schema_editor.execute(
        "ALTER TABLE scheduler_task ADD COLUMN dropped_claims smallint NOT NULL DEFAULT 0"
    )


def drop_columns(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute("ALTER TABLE scheduler_task DROP COLUMN dropped_claims")
    schema_editor.execute("ALTER TABLE scheduler_task DROP COLUMN attempt_started_at")


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_core", "0012_schedule_run_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
            state_operations=[
                migrations.AddField(
                    model_name="taskrecord",
                    name="attempt_started_at",
                    field=models.DateTimeField(blank=True, null=True),
                ),
                migrations.AddField(
                    model_name="taskrecord",
                    name="dropped_claims",
                    field=models.SmallIntegerField(db_default=0, default=0),
                ),
            ],
        ),
    ]
