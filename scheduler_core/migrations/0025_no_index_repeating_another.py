"""Drop three foreign-key indexes that repeat the first column of another index.

Django indexes every foreign key. The transition log's `task_id` is also the first column
of sched_event_task_idx (task_id, id), the error log's of sched_error_task_idx (task_id,
attempt), and a workflow edge's `parent_id` of the unique (parent_id, child_id). Those
serve every look-up and cascade the single-column ones served; the single-column ones only
cost writes: two log rows per task each wrote both of its indexes (docs/performance.md,
round 15).

The indexes are dropped by name rather than by AlterField: on SQLite, AlterField rebuilds
the table, which drops the triggers on it (the counters' on the transition log). The names
are Django's, the same on both engines.
"""

import django.db.models.deletion
from django.db import migrations, models

# (table, column, index name as Django made it)
REDUNDANT = [
    ("scheduler_task_event", "task_id", "scheduler_task_event_task_id_6b4a7600"),
    ("scheduler_task_error", "task_id", "scheduler_task_error_task_id_83b821bc"),
    ("scheduler_workflow_edge", "parent_id", "scheduler_workflow_edge_parent_id_fdd17e65"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_core", "0024_tags_beside_the_task_row"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="taskerrorrecord",
                    name="task",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        related_name="error_records",
                        to="scheduler_core.taskrecord",
                    ),
                ),
                migrations.AlterField(
                    model_name="taskevent",
                    name="task",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        related_name="events",
                        to="scheduler_core.taskrecord",
                    ),
                ),
                migrations.AlterField(
                    model_name="workflowedgerecord",
                    name="parent",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        related_name="+",
                        to="scheduler_core.taskrecord",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})",
                )
                for table, column, name in REDUNDANT
            ],
        ),
    ]
