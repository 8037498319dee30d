"""Indexes for the task list's search over arguments (scheduler_core/storage/argument_search.py).

PostgreSQL: trigram GIN indexes over UPPER(args::text) and UPPER(kwargs::text), the very
expressions Django's icontains renders, so a search is a bitmap scan instead of a read of
the whole table. SQLite: an FTS5 table with the trigram tokenizer over the same JSON text,
kept in step by triggers. Both are filled from the rows already stored.

The SQL is written out here, not imported, so this migration keeps doing what it did when
it was written whatever later code looks like.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

POSTGRES_INSTALL = [
    # Trusted since PostgreSQL 13: the database owner may create it without superuser.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX sched_task_args_trgm_idx ON scheduler_task "
    "USING gin ((UPPER((args)::text)) gin_trgm_ops)",
    "CREATE INDEX sched_task_kwargs_trgm_idx ON scheduler_task "
    "USING gin ((UPPER((kwargs)::text)) gin_trgm_ops)",
]
# The extension stays: other objects may use it by now, and creating it again may need
# rights the next migrate does not have. IF NOT EXISTS above makes re-applying harmless.
POSTGRES_UNINSTALL = [
    "DROP INDEX IF EXISTS sched_task_kwargs_trgm_idx",
    "DROP INDEX IF EXISTS sched_task_args_trgm_idx",
]

# External content: the index holds only trigrams and positions, the text stays in
# scheduler_task (no second copy), and 'rebuild' can always re-derive the index from it.
# Its rows are keyed by the task row's rowid. scheduler_task has no INTEGER PRIMARY KEY, but
# it has indexes, and SQLite's VACUUM keeps the rowids of such tables (a test checks this).
# columnsize=0: no per-row token counts, which only ranking would read; a B-tree insert
# less per task.
SQLITE_INSTALL = [
    """
CREATE VIRTUAL TABLE scheduler_task_search USING fts5(
    args, kwargs,
    content='scheduler_task', content_rowid='rowid', columnsize=0,
    tokenize='trigram case_sensitive 0'
)
""",
    """
CREATE TRIGGER sched_search_task_insert AFTER INSERT ON scheduler_task
BEGIN
INSERT INTO scheduler_task_search (rowid, args, kwargs) VALUES (NEW.rowid, NEW.args, NEW.kwargs);
END
""",
    # A state change rewrites every column through the ORM, but the arguments never change:
    # the WHEN keeps those updates free of index work. The delete command needs the old text
    # exactly as it was indexed, which the trigger still has.
    """
CREATE TRIGGER sched_search_task_update AFTER UPDATE OF args, kwargs ON scheduler_task
WHEN OLD.args IS NOT NEW.args OR OLD.kwargs IS NOT NEW.kwargs
BEGIN
INSERT INTO scheduler_task_search (scheduler_task_search, rowid, args, kwargs)
VALUES ('delete', OLD.rowid, OLD.args, OLD.kwargs);
INSERT INTO scheduler_task_search (rowid, args, kwargs) VALUES (NEW.rowid, NEW.args, NEW.kwargs);
END
""",
    """
CREATE TRIGGER sched_search_task_delete AFTER DELETE ON scheduler_task
BEGIN
INSERT INTO scheduler_task_search (scheduler_task_search, rowid, args, kwargs)
VALUES ('delete', OLD.rowid, OLD.args, OLD.kwargs);
END
""",
    # The backfill: index every row already stored.
    "INSERT INTO scheduler_task_search (scheduler_task_search) VALUES ('rebuild')",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS sched_search_task_delete",
    "DROP TRIGGER IF EXISTS sched_search_task_update",
    "DROP TRIGGER IF EXISTS sched_search_task_insert",
    "DROP TABLE IF EXISTS scheduler_task_search",
]


def _run(schema_editor: BaseDatabaseSchemaEditor, by_vendor: dict[str, list[str]]) -> None:
    # Other engines keep searching by a scan (see argument_search.py).
    for statement in by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Create the engine's search index and fill it from the stored rows."""
    _run(schema_editor, {"postgresql": POSTGRES_INSTALL, "sqlite": SQLITE_INSTALL})


def uninstall(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Drop the engine's search index (and on SQLite its triggers)."""
    _run(schema_editor, {"postgresql": POSTGRES_UNINSTALL, "sqlite": SQLITE_UNINSTALL})


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_core", "0010_audit_details"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
