"""The LISTEN connection survives being cut, as when PostgreSQL restarts or kills it."""

from __future__ import annotations

import pytest
from django.db import connections

from scheduler_core.storage.notifications import NOTIFY_CHANNEL, TaskNotificationListener


def test_listener_reconnects_after_its_connection_is_terminated(backend: str, alias: str) -> None:
    if backend != "postgres":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    listener = TaskNotificationListener(alias)
    assert listener.wait(0.01) is False  # connects and listens
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE query LIKE %s AND pid <> pg_backend_pid()",
            [f"LISTEN {NOTIFY_CHANNEL}%"],
        )
        assert cursor.fetchone() == (True,)

    # The cut connection costs one wait (logged, not raised); the next one listens again.
    assert listener.wait(0.2) is False
    listener.wait(0.01)
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, 'default')", [NOTIFY_CHANNEL])
    assert listener.wait(5) is True
    listener.close()
