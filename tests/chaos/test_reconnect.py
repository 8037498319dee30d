"""After its connections are cut (pg_terminate_backend, a server restart), a process's next
query succeeds: the pool checks a connection before handing it out.

Found by the chaos run: without the check, each dead pooled connection failed one query,
so the web server answered one 500 per connection after every cut.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = os.environ.get("TEST_DATABASE_URL", "")

SCRIPT = """
import os, time
import django
import psycopg

django.setup()
from django.db import connection, connections


def ask():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0]


ask()
connections.close_all()  # back into the pool, idle
with psycopg.connect(os.environ["ADMIN_URL"], autocommit=True, application_name="admin") as admin:
    cut = len(
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [os.environ["PGAPPNAME"]],
        ).fetchall()
    )
time.sleep(0.5)
print(cut, ask())
"""


@pytest.mark.skipif(not SERVER, reason="needs TEST_DATABASE_URL (a PostgreSQL server)")
def test_the_first_query_after_connections_were_cut_succeeds() -> None:
    env = {
        **os.environ,
        "DATABASE_URL": SERVER,
        "ADMIN_URL": SERVER,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "PGAPPNAME": f"reconnect-test-{os.getpid()}",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    cut, answer = done.stdout.split()
    assert int(cut) >= 1, "the test should have cut the pooled connection"
    assert answer == "1"
