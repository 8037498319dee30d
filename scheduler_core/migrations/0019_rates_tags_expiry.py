"""Issue 20: queue rate limits (a token bucket per rated queue), task tags and result expiry.

Tags are found by a GIN index on PostgreSQL; SQLite has no index into a JSON array, so a
side table of (tag, task id) is kept by triggers on the task table, for every writer (the
ORM, the raw inserts of storage/task_insert.py, the bench loader, the admin). Like the
counter and search triggers, they go if Django's SQLite schema editor ever rebuilds the task
table, so the new columns are added with ALTER TABLE, and a later migration that rebuilds the
table must create them again.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

POSTGRES_TAGS_SQL = (
    "CREATE INDEX sched_task_tags_gin ON scheduler_task USING gin (tags jsonb_path_ops)"
)
POSTGRES_DROP_TAGS_SQL = "DROP INDEX IF EXISTS sched_task_tags_gin"
SQLITE_TAGS_SQL = [
    """CREATE TABLE scheduler_task_tag (
        tag varchar(64) NOT NULL,
        task_id char(32) NOT NULL,
        PRIMARY KEY (tag, task_id)
    ) WITHOUT ROWID""",
    """CREATE TRIGGER scheduler_task_tags_insert AFTER INSERT ON scheduler_task
    WHEN NEW.tags IS NOT NULL AND NEW.tags <> '[]'
    BEGIN
        INSERT OR IGNORE INTO scheduler_task_tag (tag, task_id)
        SELECT value, NEW.id FROM json_each(NEW.tags);
    END""",
    """CREATE TRIGGER scheduler_task_tags_update AFTER UPDATE OF tags ON scheduler_task
    WHEN NEW.tags IS NOT OLD.tags
    BEGIN
        DELETE FROM scheduler_task_tag WHERE task_id = OLD.id;
        INSERT OR IGNORE INTO scheduler_task_tag (tag, task_id)
        SELECT value, NEW.id FROM json_each(NEW.tags);
    END""",
    """CREATE TRIGGER scheduler_task_tags_delete AFTER DELETE ON scheduler_task
    WHEN OLD.tags IS NOT NULL AND OLD.tags <> '[]'
    BEGIN
        DELETE FROM scheduler_task_tag WHERE task_id = OLD.id;
    END""",
]
SQLITE_DROP_TAGS_SQL = [
    "DROP TRIGGER IF EXISTS scheduler_task_tags_insert",
    "DROP TRIGGER IF EXISTS scheduler_task_tags_update",
    "DROP TRIGGER IF EXISTS scheduler_task_tags_delete",
    "DROP TABLE IF EXISTS scheduler_task_tag",
]


_COLUMNS = {
    "postgresql": [
        "tags jsonb NOT NULL DEFAULT '[]'::jsonb",
        "result_ttl integer NULL CHECK (result_ttl >= 0)",
        "result_expired boolean NOT NULL DEFAULT false",
    ],
    "sqlite": [
        "tags text NOT NULL DEFAULT '[]' CHECK (JSON_VALID(tags) OR tags IS NULL)",
        "result_ttl integer unsigned NULL CHECK (result_ttl >= 0)",
        "result_expired bool NOT NULL DEFAULT 0",
    ],
}


def add_columns(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for column in _COLUMNS[schema_editor.connection.vendor]:
        schema_editor.execute(f"ALTER TABLE scheduler_task ADD COLUMN {column}")


def drop_columns(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for column in ("tags", "result_ttl", "result_expired"):
        schema_editor.execute(f"ALTER TABLE scheduler_task DROP COLUMN {column}")


def add_tag_index(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_TAGS_SQL)
    else:
        for statement in SQLITE_TAGS_SQL:
            schema_editor.execute(statement)


def drop_tag_index(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP_TAGS_SQL)
    else:
        for statement in SQLITE_DROP_TAGS_SQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_core", "0018_task_toolkit"),
    ]

    operations = [
        migrations.CreateModel(
            name="QueueRateRecord",
            fields=[
                ("queue", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("max_starts", models.PositiveIntegerField()),
                (
                    "per",
                    models.CharField(
                        choices=[("second", "second"), ("minute", "minute")], max_length=10
                    ),
                ),
                ("partition_by", models.CharField(blank=True, default="", max_length=100)),
                ("tokens", models.FloatField()),
                ("refilled_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "queue rate limit",
                "db_table": "scheduler_queue_rate",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("max_starts__gte", 1)), name="sched_queue_rate_positive"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="QueueRateBucket",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("queue", models.CharField(max_length=100)),
                ("partition", models.CharField(max_length=200)),
                ("tokens", models.FloatField()),
                ("refilled_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "queue rate bucket",
                "db_table": "scheduler_queue_rate_bucket",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("queue", "partition"), name="sched_rate_bucket_key"
                    )
                ],
            },
        ),
        # ALTER TABLE ADD COLUMN on both engines: Django's SQLite schema editor would rebuild
        # the task table, which breaks the triggers that name it (see 0016_workflows).
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
            state_operations=[
                migrations.AddField(
                    model_name="taskrecord",
                    name="result_expired",
                    field=models.BooleanField(db_default=False, default=False),
                ),
                migrations.AddField(
                    model_name="taskrecord",
                    name="result_ttl",
                    field=models.PositiveIntegerField(blank=True, null=True),
                ),
                migrations.AddField(
                    model_name="taskrecord",
                    name="tags",
                    field=models.JSONField(
                        db_default=models.Value([], output_field=models.JSONField()), default=list
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="taskrecord",
            index=models.Index(
                condition=models.Q(
                    ("finished_at__isnull", False),
                    ("result_expired", False),
                    ("result_ttl__isnull", False),
                ),
                fields=["finished_at"],
                name="sched_task_result_ttl_idx",
            ),
        ),
        migrations.RunPython(add_tag_index, drop_tag_index, elidable=False),
    ]
