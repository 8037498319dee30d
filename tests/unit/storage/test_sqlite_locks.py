"""Retrying SQLite writes that met a lock: how often, and which errors pass straight on."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import OperationalError

from scheduler_core.storage import sqlite_locks
from scheduler_core.storage.sqlite_locks import is_locked_error, retry_when_locked


class Flaky:
    """An operation that raises the given errors first, then returns 'done'."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record back-off pauses instead of sleeping them.

    Only this module's: patching time.sleep itself would also count (and speed up) the
    sleeps of any thread another test left running in this process, as a full run saw
    (4,551 pauses of about 0.25 s recorded during this test).
    """
    pauses: list[float] = []
    monkeypatch.setattr(sqlite_locks, "time", SimpleNamespace(sleep=pauses.append))
    return pauses


def test_locked_errors_are_retried_until_the_operation_succeeds(no_sleep: list[float]) -> None:
    operation = Flaky(OperationalError("database is locked"), OperationalError("table locked"))

    assert retry_when_locked(operation) == "done"
    assert operation.calls == 3
    assert len(no_sleep) == 2


def test_other_operational_errors_are_not_retried() -> None:
    operation = Flaky(OperationalError("no such table: scheduler_task"))

    with pytest.raises(OperationalError, match="no such table"):
        retry_when_locked(operation)
    assert operation.calls == 1


def test_gives_up_after_the_last_attempt() -> None:
    operation = Flaky(*[OperationalError("database is locked") for _ in range(3)])

    with pytest.raises(OperationalError, match="locked"):
        retry_when_locked(operation, attempts=3)
    assert operation.calls == 3


def test_is_locked_error() -> None:
    assert is_locked_error(OperationalError("database is locked"))
    assert not is_locked_error(OperationalError("disk I/O error"))


def test_a_postgresql_deadlock_is_not_taken_for_a_sqlite_lock(no_sleep: list[float]) -> None:
    # The message a deadlock victim got in a full `make test` run: retried as a SQLite lock
    # inside its transaction, the deadlock recurred every second for 10 s.
    deadlock = OperationalError(
        "deadlock detected\nDETAIL:  Process 19281 waits for ShareLock on transaction "
        "112969; blocked by process 19277.\nProcess 19277 waits for ShareLock on "
        "transaction 112968; blocked by process 19281."
    )
    operation = Flaky(deadlock)

    assert not is_locked_error(deadlock)
    with pytest.raises(OperationalError, match="deadlock"):
        retry_when_locked(operation)
    assert operation.calls == 1
    assert no_sleep == []
