"""PostgreSQL: the tag filter reads a side table, as SQLite's does, not a GIN index of the row.

0019 indexed `tags` on the task table (GIN, jsonb_path_ops). Like the arguments' indexes
that 0023 moved, that index got new entries at every change of a task's status (none of
those updates can be HOT), an "empty" entry even for a task without tags: about a tenth of
the server's CPU per task for a claim and its outcome (docs/performance.md, round 15).

scheduler_task_tag holds one row per (tag, task), as on SQLite since 0019. The trigger
function of 0023, which already runs once per statement that inserts, deletes or
truncates tasks, now keeps it too (no second trigger call per insert); a row trigger
rewrites a task's tags only when an UPDATE changes them.

The SQL is written out here, not imported, so this migration keeps doing what it did when
it was written whatever later code looks like.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# 0023's expressions, written out again (a migration imports no other).
_ARGS = "NULLIF(UPPER((args)::text), '[]')"
_KWARGS = "NULLIF(UPPER((kwargs)::text), '{}')"


def _tags_of(row: str) -> str:
    """The tags of `row` as an array, whatever a raw writer stored: these triggers must never
    fail a write (the domain stores a list of strings; anything else has no tags to find)."""
    return f"CASE WHEN jsonb_typeof({row}.tags) = 'array' THEN {row}.tags ELSE '[]'::jsonb END"


def _search_function(with_tags: bool) -> str:
    """0023's trigger function, and the same keeping the tags as well."""
    tag_insert = (
        f"""
    INSERT INTO scheduler_task_tag (tag, task_id)
    SELECT DISTINCT x.tag, n.id
    FROM new_rows AS n CROSS JOIN LATERAL jsonb_array_elements_text({_tags_of("n")}) AS x(tag)
    ON CONFLICT DO NOTHING;"""
        if with_tags
        else ""
    )
    tag_delete = (
        f"""
    DELETE FROM scheduler_task_tag AS g
    USING old_rows AS o CROSS JOIN LATERAL jsonb_array_elements_text({_tags_of("o")}) AS x(tag)
    WHERE g.tag = x.tag AND g.task_id = o.id;"""
        if with_tags
        else ""
    )
    tag_truncate = "\n    TRUNCATE scheduler_task_tag;" if with_tags else ""
    return f"""
CREATE OR REPLACE FUNCTION sched_search_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO scheduler_task_search (task_id, args_upper, kwargs_upper)
    SELECT id, {_ARGS}, {_KWARGS} FROM new_rows;{tag_insert}
  ELSIF TG_OP = 'DELETE' THEN
    DELETE FROM scheduler_task_search AS s USING old_rows AS o WHERE s.task_id = o.id;{tag_delete}
  ELSE
    TRUNCATE scheduler_task_search;{tag_truncate}
  END IF;
  RETURN NULL;
END
$$
"""


POSTGRES_INSTALL = [
    """
CREATE TABLE scheduler_task_tag (
    tag text NOT NULL,
    task_id uuid NOT NULL,
    PRIMARY KEY (tag, task_id)
)
""",
    _search_function(with_tags=True),
    f"""
CREATE FUNCTION sched_tags_task_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM scheduler_task_tag AS g
  USING jsonb_array_elements_text({_tags_of("OLD")}) AS x(tag)
  WHERE g.tag = x.tag AND g.task_id = OLD.id;
  INSERT INTO scheduler_task_tag (tag, task_id)
  SELECT DISTINCT x.tag, NEW.id FROM jsonb_array_elements_text({_tags_of("NEW")}) AS x(tag)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$
""",
    # Status changes never set the tags; an ORM save sets every column, and the WHEN
    # skips it unless they changed.
    """
CREATE TRIGGER sched_tags_task_update AFTER UPDATE OF tags ON scheduler_task
FOR EACH ROW WHEN (OLD.tags IS DISTINCT FROM NEW.tags)
EXECUTE FUNCTION sched_tags_task_changed()
""",
    f"""
INSERT INTO scheduler_task_tag (tag, task_id)
SELECT DISTINCT x.tag, t.id
FROM scheduler_task AS t CROSS JOIN LATERAL jsonb_array_elements_text({_tags_of("t")}) AS x(tag)
""",
    "DROP INDEX IF EXISTS sched_task_tags_gin",
]
POSTGRES_UNINSTALL = [
    "CREATE INDEX IF NOT EXISTS sched_task_tags_gin ON scheduler_task "
    "USING gin (tags jsonb_path_ops)",
    "DROP TRIGGER IF EXISTS sched_tags_task_update ON scheduler_task",
    "DROP FUNCTION IF EXISTS sched_tags_task_changed()",
    _search_function(with_tags=False),
    "DROP TABLE IF EXISTS scheduler_task_tag",
]


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: list[str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in statements:
        schema_editor.execute(statement, params=None)


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Create and fill the tag table, keep it by trigger, drop the task row's tag index."""
    _run(schema_editor, POSTGRES_INSTALL)


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Put the tag index back on the task table and drop the tag table and its trigger."""
    _run(schema_editor, POSTGRES_UNINSTALL)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_core", "0023_argument_search_beside_the_task_row"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
