"""Which real databases the suite can run against, and how a test asks for one.

A test (or fixture) parametrized with one of the names in DATABASE_BACKENDS under a
parameter called `kit`, `backend` or `database` gets the matching pytest-django marker at
collection time, so pytest-django creates that test database before the session starts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections

# Parameter names whose values select a database backend.
BACKEND_PARAMETERS = ("kit", "backend", "database")
# Backend name -> the DATABASES alias it runs on.
DATABASE_BACKENDS = {"sqlite": "default", "postgres": "postgres"}


def skip_reason(backend: str) -> str | None:
    """Why tests on `backend` cannot run here, or None when they can."""
    alias = DATABASE_BACKENDS[backend]
    if alias not in settings.DATABASES:
        return "PostgreSQL tests need TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1/test)"
    engine = settings.DATABASES[alias]["ENGINE"]
    expected = {"sqlite": "sqlite", "postgres": "postgresql"}[backend]
    if connections[alias].vendor != expected:
        return f"the {alias!r} database is {engine}, not {backend}"
    return None


def alias_of(backend: str) -> str:
    """The DATABASES alias a backend name runs on."""
    return DATABASE_BACKENDS[backend]
