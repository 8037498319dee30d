"""Issue 17, metrics: the rollup table of counts and duration histograms per task name, queue
and stretch of time, its state row, and the heartbeat's processed / failed / memory figures
on the worker row, the workers' "resume" command (docs/metrics.md), and an index of error
rows by type and time for the task list's error filter (docs/performance.md, W4)."""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def add_state_row(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    state = apps.get_model("scheduler_core", "MetricsRollupState")
    state.objects.using(schema_editor.connection.alias).get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_core", "0019_rates_tags_expiry"),
    ]

    operations = [
        migrations.CreateModel(
            name="MetricsRollupState",
            fields=[
                ("id", models.SmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("rolled_until", models.BigIntegerField(null=True)),
            ],
            options={
                "verbose_name": "metrics rollup state",
                "db_table": "scheduler_metrics_rollup",
            },
        ),
        migrations.AddField(
            model_name="workerrecord",
            name="failed",
            field=models.BigIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="workerrecord",
            name="processed",
            field=models.BigIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="workerrecord",
            name="rss_bytes",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="TaskMetricsRow",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("start", models.BigIntegerField()),
                ("width", models.IntegerField()),
                ("queue", models.CharField(max_length=100)),
                ("name", models.CharField(max_length=200)),
                ("succeeded", models.BigIntegerField(default=0)),
                ("failed", models.BigIntegerField(default=0)),
                ("cancelled", models.BigIntegerField(default=0)),
                ("failed_attempts", models.BigIntegerField(default=0)),
                ("run_seconds_sum", models.FloatField(default=0.0)),
                ("run_histogram", models.JSONField(default=dict)),
                ("wait_seconds_sum", models.FloatField(default=0.0)),
                ("wait_histogram", models.JSONField(default=dict)),
            ],
            options={
                "verbose_name": "task metrics row",
                "db_table": "scheduler_task_metrics",
                "indexes": [
                    models.Index(fields=["name", "start"], name="sched_metrics_name_idx"),
                    models.Index(fields=["width", "start"], name="sched_metrics_age_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("queue", "name", "start"), name="sched_metrics_stretch_unique"
                    )
                ],
            },
        ),
        # An operator may take a quiet back (issue 17): the new command "resume".
        migrations.AlterField(
            model_name="workercommandrecord",
            name="command",
            field=models.CharField(
                choices=[("quiet", "quiet"), ("stop", "stop"), ("resume", "resume")],
                max_length=16,
            ),
        ),
        # The task list filtered to an error type: the tasks of one type since a moment.
        migrations.AddIndex(
            model_name="taskerrorrecord",
            index=models.Index(
                fields=["exception_type", "failed_at", "task"], name="sched_error_type_idx"
            ),
        ),
        migrations.RunPython(add_state_row, migrations.RunPython.noop),
    ]
