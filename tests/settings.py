"""Settings for the test suite: the project's settings plus the databases tests need."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url

from dashboard.settings import *  # noqa: F403
from dashboard.settings import DATABASES, SQLITE_ENGINE

# A real file rather than Django's shared in-memory database, so SQLite runs in WAL mode and
# threads and worker processes in tests use separate connections, as in production.
# One file per test run, so concurrent runs on one machine never share a database.
if DATABASES["default"]["ENGINE"] in {"django.db.backends.sqlite3", SQLITE_ENGINE}:
    _test_file = Path(tempfile.gettempdir()) / f"scheduler-test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(_test_file)}

# TEST_DATABASE_URL names a PostgreSQL server for the tests marked `postgres`; pytest-django
# creates a test database on that server. Without it those tests are skipped.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
if TEST_DATABASE_URL:
    _postgres: dict[str, Any] = dict(dj_database_url.parse(TEST_DATABASE_URL))
    # Plain connections in tests: many threads at once must not queue for a small pool.
    _postgres["CONN_MAX_AGE"] = 0
    # Per run, like the SQLite file: runs at once on one server never drop each other's.
    _postgres["TEST"] = {"NAME": f"test_scheduler_{os.getpid()}"}
    DATABASES["postgres"] = _postgres
