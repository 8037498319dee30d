"""Issue 17: the failures page's index on error rows by time; worker commands (quiet, stop);
and on PostgreSQL a trigger that wakes the worker holding a task whose cancel is requested."""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# The worker LISTENs on this channel (storage/worker_control.py, CONTROL_CHANNEL): a cancel
# request reaches a running task within a second from any door, the admin and raw SQL too.
CANCEL_NOTIFY_SQL = """
CREATE OR REPLACE FUNCTION scheduler_notify_cancel() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('scheduler_control', NEW.worker_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER scheduler_task_cancel_notify
AFTER UPDATE OF cancel_requested ON scheduler_task
FOR EACH ROW
WHEN (NEW.cancel_requested AND NOT OLD.cancel_requested AND NEW.status = 'running'
      AND NEW.worker_id IS NOT NULL)
EXECUTE FUNCTION scheduler_notify_cancel();
"""
DROP_CANCEL_NOTIFY_SQL = """
DROP TRIGGER IF EXISTS scheduler_task_cancel_notify ON scheduler_task;
DROP FUNCTION IF EXISTS scheduler_notify_cancel();
"""


def add_cancel_notify(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CANCEL_NOTIFY_SQL)


def drop_cancel_notify(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_CANCEL_NOTIFY_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_core", "0016_workflows"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkerCommandRecord",
            fields=[
                ("worker_id", models.CharField(max_length=200, primary_key=True, serialize=False)),
                (
                    "command",
                    models.CharField(choices=[("quiet", "quiet"), ("stop", "stop")], max_length=16),
                ),
                ("asked_by", models.CharField(max_length=150)),
                ("asked_at", models.DateTimeField()),
                ("obeyed_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "worker command",
                "db_table": "scheduler_worker_command",
            },
        ),
        migrations.AddIndex(
            model_name="taskerrorrecord",
            index=models.Index(fields=["failed_at"], name="sched_error_failed_idx"),
        ),
        migrations.RunPython(add_cancel_notify, drop_cancel_notify),
    ]
