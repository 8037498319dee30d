"""Writing a run's edges without the ORM: COPY on PostgreSQL, multi-row INSERTs on SQLite.

A 10,000-wide fan-in is 10,000 edges; building and compiling that many model instances
took about as long as writing the steps themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.backends.base.base import BaseDatabaseWrapper

from scheduler_core.domain.workflow import WorkflowEdge

_COLUMNS = "parent_id, child_id, ignore_failure, resolved"
_COPY = f"COPY scheduler_workflow_edge ({_COLUMNS}) FROM STDIN"
# Four parameters a row: far below SQLite's variable limit.
SQLITE_ROWS_PER_STATEMENT = 200


def insert_edges(connection: BaseDatabaseWrapper, edges: Sequence[WorkflowEdge]) -> None:
    """Insert the edges, unresolved, in the caller's transaction."""
    if not edges:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            import psycopg  # here: a worker on SQLite never loads it

            raw = cursor.cursor
            assert isinstance(raw, psycopg.Cursor)
            with raw.copy(_COPY) as copy:
                for edge in edges:
                    copy.write_row((edge.parent_id, edge.child_id, edge.ignore_failure, False))
            return
        for start in range(0, len(edges), SQLITE_ROWS_PER_STATEMENT):
            chunk = edges[start : start + SQLITE_ROWS_PER_STATEMENT]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            params = [
                value
                for edge in chunk
                for value in (edge.parent_id.hex, edge.child_id.hex, edge.ignore_failure, False)
            ]
            cursor.execute(
                f"INSERT INTO scheduler_workflow_edge ({_COLUMNS}) VALUES {values}", params
            )
