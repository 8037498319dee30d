"""Actions the chaos runner owes at a given time, such as the SIGCONT that ends a pause.

A thread of their own runs them on time, whatever the main loop is waiting for. On SQLite
a worker paused inside a write keeps the database file's lock, and the main loop's own
writes (a cancel, say) then wait for that lock; with the SIGCONT left to the main loop,
neither ever moved: a run at `b0b8ab4` hung for ten minutes with every worker waiting on
the paused one. The thread starts with the first action added and ends once none is left,
so no caller can forget to start or stop it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# How often (s) the thread looks for actions whose time has come.
LOOK_EVERY = 0.05


class Due:
    """Actions and the monotonic times they are due at; each runs once, by whoever is first."""

    def __init__(self) -> None:
        self._actions: list[tuple[float, Callable[[], None]]] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def __len__(self) -> int:
        with self._lock:
            return len(self._actions)

    def add(self, at: float, action: Callable[[], None]) -> None:
        """Run `action` once time.monotonic() reaches `at`."""
        with self._lock:
            self._actions.append((at, action))
            if self._thread is None:
                self._thread = threading.Thread(target=self._keep, name="chaos-due", daemon=True)
                self._thread.start()

    def run(self, now: float) -> None:
        """Run the actions whose time has come (every one when `now` is infinite)."""
        with self._lock:
            due = [action for at, action in self._actions if at <= now]
            self._actions = [(at, action) for at, action in self._actions if at > now]
        for action in due:
            action()

    def _keep(self) -> None:
        while True:
            time.sleep(LOOK_EVERY)
            with self._lock:
                if not self._actions:
                    self._thread = None
                    return
            self.run(time.monotonic())
