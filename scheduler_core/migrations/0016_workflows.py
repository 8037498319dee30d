"""Workflows: runs, the edges between their steps, the step columns of the task table, and
a schedule's workflow template.

The task columns are added with ALTER TABLE ADD COLUMN on both engines, and the new status
choice is model state only: Django's SQLite schema editor would rebuild the task table,
which breaks the counter and search triggers that name it. The counters need no change: they
count by whatever status a row has (docs/counters.md), and `blocked` is one more value.
"""

import django.db.models.deletion
import scheduler_core.models.exact_json
import uuid
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

_UUID = {"postgresql": "uuid", "sqlite": "char(32)"}
# Frozen: the statuses as this migration found them, blocked added.
_STATUS_CHOICES = [
    (value, value.capitalize())
    for value in (
        "blocked",
        "scheduled",
        "ready",
        "running",
        "retrying",
        "succeeded",
        "failed",
        "cancelled",
    )
]


def add_columns(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    uuid_type = _UUID[schema_editor.connection.vendor]
    for sql in (
        f"ALTER TABLE scheduler_task ADD COLUMN workflow_id {uuid_type} NULL",
        "ALTER TABLE scheduler_task ADD COLUMN step_key varchar(100) NULL",
        "ALTER TABLE scheduler_task ADD COLUMN parents_left integer NOT NULL DEFAULT 0",
        "ALTER TABLE scheduler_task ADD COLUMN upstream_failed varchar(100) NULL",
    ):
        schema_editor.execute(sql)


def drop_columns(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for column in ("upstream_failed", "parents_left", "step_key", "workflow_id"):
        schema_editor.execute(f"ALTER TABLE scheduler_task DROP COLUMN {column}")


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_core", "0015_alerts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
            state_operations=[
                migrations.AddField(
                    model_name="taskrecord",
                    name="workflow_id",
                    field=models.UUIDField(blank=True, null=True),
                ),
                migrations.AddField(
                    model_name="taskrecord",
                    name="step_key",
                    field=models.CharField(blank=True, max_length=100, null=True),
                ),
                migrations.AddField(
                    model_name="taskrecord",
                    name="parents_left",
                    field=models.IntegerField(db_default=0, default=0),
                ),
                migrations.AddField(
                    model_name="taskrecord",
                    name="upstream_failed",
                    field=models.CharField(blank=True, max_length=100, null=True),
                ),
                migrations.AlterField(
                    model_name="queuecount",
                    name="status",
                    field=models.CharField(choices=_STATUS_CHOICES, max_length=16),
                ),
                migrations.AlterField(
                    model_name="taskevent",
                    name="from_status",
                    field=models.CharField(choices=_STATUS_CHOICES, max_length=16),
                ),
                migrations.AlterField(
                    model_name="taskevent",
                    name="to_status",
                    field=models.CharField(choices=_STATUS_CHOICES, max_length=16),
                ),
                migrations.AlterField(
                    model_name="taskrecord",
                    name="status",
                    field=models.CharField(choices=_STATUS_CHOICES, max_length=16),
                ),
            ],
        ),
        migrations.AddField(
            model_name="schedulerecord",
            name="workflow",
            field=models.JSONField(
                blank=True,
                default=list,
                encoder=scheduler_core.models.exact_json.ExactJSONEncoder,
            ),
        ),
        migrations.AddConstraint(
            model_name="taskrecord",
            constraint=models.UniqueConstraint(
                condition=models.Q(("workflow_id__isnull", False)),
                fields=("workflow_id", "step_key"),
                name="sched_task_workflow_step",
            ),
        ),
        migrations.AddIndex(
            model_name="taskrecord",
            index=models.Index(
                "workflow_id",
                "status",
                condition=models.Q(("workflow_id__isnull", False)),
                name="sched_task_workflow_idx",
            ),
        ),
        migrations.CreateModel(
            name="WorkflowRunRecord",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("created_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "workflow run",
                "db_table": "scheduler_workflow",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["-created_at", "-id"], name="sched_workflow_list_idx"),
                    models.Index(fields=["name", "-created_at"], name="sched_workflow_name_idx"),
                ],
            },
        ),
        migrations.CreateModel(
            name="WorkflowEdgeRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("ignore_failure", models.BooleanField(default=False)),
                ("resolved", models.BooleanField(default=False)),
                (
                    "parent",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        related_name="+",
                        to="scheduler_core.taskrecord",
                    ),
                ),
                (
                    "child",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        related_name="+",
                        to="scheduler_core.taskrecord",
                    ),
                ),
            ],
            options={
                "verbose_name": "workflow edge",
                "db_table": "scheduler_workflow_edge",
                "constraints": [
                    models.UniqueConstraint(fields=("parent", "child"), name="sched_wf_edge_unique")
                ],
            },
        ),
    ]
