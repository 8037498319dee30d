"""Django's SQLite backend whose transactions take the database's write turn first.

Set as the ENGINE of a SQLite database (`dashboard/settings.py` does for the project's own).
Every transaction on it begins with `BEGIN IMMEDIATE` (the settings' `transaction_mode`),
so each takes the write lock; here each first waits for its turn at that lock in the kernel
(`scheduler_core/storage/sqlite_write_turn.py` says why), and gives the turn back when it
commits, rolls back or closes. An in-memory database has one connection and no turn.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3 import base

from scheduler_core.storage.sqlite_write_turn import WriteTurn, write_turn


class DatabaseWrapper(base.DatabaseWrapper):
    """SQLite connections that queue for the write lock instead of sleeping for it."""

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
