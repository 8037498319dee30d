"""Arguments and results written so they read back exactly on PostgreSQL; audit sources
for the admin site and management commands. Neither changes the schema."""

import scheduler_core.models.exact_json
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_core", "0012_schedule_run_index"),
    ]

    # The model state only: an encoder and choices live in Python, not in the schema, and
    # SQLite would otherwise rebuild the task table (dropping the counters' triggers).
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="source",
                    field=models.CharField(
                        choices=[
                            ("api", "API"),
                            ("dashboard", "Dashboard"),
                            ("admin", "Admin site"),
                            ("command", "Management command"),
                        ],
                        max_length=16,
                    ),
                ),
                migrations.AlterField(
                    model_name="schedulerecord",
                    name="args",
                    field=models.JSONField(
                        blank=True,
                        default=list,
                        encoder=scheduler_core.models.exact_json.ExactJSONEncoder,
                    ),
                ),
                migrations.AlterField(
                    model_name="schedulerecord",
                    name="kwargs",
                    field=models.JSONField(
                        blank=True,
                        default=dict,
                        encoder=scheduler_core.models.exact_json.ExactJSONEncoder,
                    ),
                ),
                migrations.AlterField(
                    model_name="taskrecord",
                    name="args",
                    field=models.JSONField(
                        default=list, encoder=scheduler_core.models.exact_json.ExactJSONEncoder
                    ),
                ),
                migrations.AlterField(
                    model_name="taskrecord",
                    name="kwargs",
                    field=models.JSONField(
                        default=dict, encoder=scheduler_core.models.exact_json.ExactJSONEncoder
                    ),
                ),
                migrations.AlterField(
                    model_name="taskrecord",
                    name="result",
                    field=models.JSONField(
                        blank=True,
                        encoder=scheduler_core.models.exact_json.ExactJSONEncoder,
                        null=True,
                    ),
                ),
            ],
        ),
    ]
