"""The SQLite engine: each transaction holds the write turn, whichever way it ends."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connections
from pytest_django import DjangoDbBlocker

from scheduler_core.sqlite_engine.base import DatabaseWrapper
from scheduler_core.sqlite_engine.write_turn import turn_path

pytestmark = pytest.mark.skipif(
    connections["default"].vendor != "sqlite", reason="DATABASE_URL points at another database"
)


@pytest.fixture
def connection(tmp_path: Path, django_db_blocker: DjangoDbBlocker) -> Iterator[DatabaseWrapper]:
    file_db = {**settings.DATABASES["default"], "NAME": str(tmp_path / "engine.sqlite3")}
    settings_dict = connections.configure_settings({"default": file_db})["default"]
    wrapper = DatabaseWrapper(settings_dict, alias="turn_check")
    with django_db_blocker.unblock():
        wrapper.cursor().execute("CREATE TABLE probe (n INTEGER)")
        try:
            yield wrapper
        finally:
            wrapper.close()


@contextmanager
def _atomic(connection: DatabaseWrapper) -> Iterator[None]:
    """What transaction.atomic does for an outermost block, on a connection not in settings."""
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    try:
        yield
    except BaseException:
        connection.rollback()
        raise
    else:
        connection.commit()
    finally:
        connection.set_autocommit(True)


def turn_is_free(connection: DatabaseWrapper) -> bool:
    """True when another process could take the connection's write turn now."""
    fd = os.open(turn_path(str(connection.settings_dict["NAME"])), os.O_RDONLY | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_a_transaction_holds_the_turn_until_it_commits(connection: DatabaseWrapper) -> None:
    with _atomic(connection):
        connection.cursor().execute("INSERT INTO probe VALUES (1)")
        assert not turn_is_free(connection)

    assert turn_is_free(connection)


def test_a_rolled_back_transaction_gives_the_turn_back(connection: DatabaseWrapper) -> None:
    with pytest.raises(ZeroDivisionError), _atomic(connection):
        connection.cursor().execute("INSERT INTO probe VALUES (1)")
        _ = 1 / 0

    assert turn_is_free(connection)
    assert connection.cursor().execute("SELECT count(*) FROM probe").fetchone() == (0,)


def test_a_transaction_that_fails_to_begin_gives_the_turn_back(
    connection: DatabaseWrapper,
) -> None:
    # A writer that takes no turn holds the lock past the busy timeout, cut to 0.1 s here.
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    connection.cursor().execute("PRAGMA busy_timeout = 100")
    try:
        with pytest.raises(OperationalError, match="locked"), _atomic(connection):
            pass
    finally:
        other.rollback()
        other.close()

    assert turn_is_free(connection)


def test_closing_mid_transaction_gives_the_turn_back(connection: DatabaseWrapper) -> None:
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert not turn_is_free(connection)

    connection.close()

    assert turn_is_free(connection)


def test_a_test_database_is_destroyed_with_its_turn_file(connection: DatabaseWrapper) -> None:
    name = str(connection.settings_dict["NAME"])
    with _atomic(connection):
        connection.cursor().execute("INSERT INTO probe VALUES (1)")
    connection.close()
    assert os.path.exists(turn_path(name))

    connection.creation.destroy_test_db(verbosity=0)

    assert not os.path.exists(name)
    assert not os.path.exists(turn_path(name))
