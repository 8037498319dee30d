"""Django's SQLite backend whose transactions take the database's write turn first.

Set as the ENGINE of a SQLite database (`dashboard/settings.py` does for the project's own).
Every transaction on it begins with `BEGIN IMMEDIATE` (the settings' `transaction_mode`),
so each takes the write lock; here each first waits for its turn at that lock in the kernel
(`scheduler_core/sqlite_engine/write_turn.py` says why), and gives the turn back when it
commits, rolls back or closes. An in-memory database has one connection and no turn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base, creation

from scheduler_core.sqlite_engine.write_turn import WriteTurn, turn_path, write_turn


class DatabaseCreation(creation.DatabaseCreation):
    """Test databases whose turn file goes with them."""

    def _destroy_test_db(self, test_database_name: str, verbosity: int) -> None:
        super()._destroy_test_db(test_database_name, verbosity)  # type: ignore[misc]
        if test_database_name and not self.is_in_memory_db(test_database_name):
            Path(turn_path(test_database_name)).unlink(missing_ok=True)


class DatabaseWrapper(base.DatabaseWrapper):
    """SQLite connections that queue for the write lock instead of sleeping for it."""

    creation_class = DatabaseCreation

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turn_taken: WriteTurn | None = None

    def _start_transaction_under_autocommit(self) -> None:
        turn = None if self.is_in_memory_db() else write_turn(str(self.settings_dict["NAME"]))
        if turn is not None and turn.take():
            self._turn_taken = turn
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._give_turn_back()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._give_turn_back()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._give_turn_back()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            # Closing mid-transaction rolls it back, so the write lock is free too.
            self._give_turn_back()

    def _give_turn_back(self) -> None:
        turn, self._turn_taken = self._turn_taken, None
        if turn is not None:
            turn.give_back()
