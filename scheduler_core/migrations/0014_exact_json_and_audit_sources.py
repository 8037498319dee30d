"""Arguments and results written so they read back exactly on PostgreSQL, and audit sources
for the admin site and management commands (model state only); the submit rate limit's
log of each user's recent submits."""

import scheduler_core.models.exact_json
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_core", "0013_attempt_start"),
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
        migrations.CreateModel(
            name="SubmitRateKey",
            fields=[
                ("key", models.CharField(max_length=100, primary_key=True, serialize=False)),
            ],
            options={
                "verbose_name": "submit rate key",
                "db_table": "scheduler_submit_rate_key",
            },
        ),
        migrations.CreateModel(
            name="SubmitRateEvent",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("key", models.CharField(max_length=100)),
                ("at", models.FloatField()),
                ("cost", models.IntegerField()),
            ],
            options={
                "verbose_name": "submit rate event",
                "db_table": "scheduler_submit_rate_event",
                "indexes": [
                    models.Index(fields=["key", "at"], name="sched_submit_rate_idx"),
                ],
            },
        ),
    ]
