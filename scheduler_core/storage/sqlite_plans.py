"""Keeping SQLite's planner on the primary key for statements that name their rows by id.

SQLite gathers no statistics unless ANALYZE runs, and nothing runs it on a database that
only `migrate` and the workers touch. Without them its planner prefers an index on a
guard term (`status = 'running'`, `status IN (...)`) to the primary key, and a write meant
for ten rows read every row of that status: every running task for a round of successes,
every blocked step for a workflow's release, every delayed task for a promotion. A unary
`+` keeps a term off the indexes without changing its meaning, so only `id IN (...)` is
left to choose.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper


def off_index(connection: BaseDatabaseWrapper) -> str:
    """The prefix of a guard term that no index may serve: '+' on SQLite, '' elsewhere."""
    return "+" if connection.vendor == "sqlite" else ""
