"""Actions the chaos runner owes at a given time, such as the SIGCONT that ends a pause.

They run on a thread of their own as well as from the main loop. On SQLite a worker
paused inside a write keeps the database file's lock, and the main loop's own writes (a
cancel, say) then wait for that lock; with the SIGCONT left to the main loop, neither
ever moved: a run at `b0b8ab4` hung for ten minutes with every worker waiting on the
paused one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

# How often (s) the keeper looks for actions whose time has come.
LOOK_EVERY = 0.05


class Due:
    """Actions and the monotonic times they are due at; each runs once, by whoever is first."""

    def __init__(self) -> None:
        self._actions: list[tuple[float, Callable[[], None]]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._actions)

    def add(self, at: float, action: Callable[[], None]) -> None:
        with self._lock:
            self._actions.append((at, action))

    def run(self, now: float) -> None:
        """Run the actions whose time has come (every one when `now` is infinite)."""
        with self._lock:
            due = [action for at, action in self._actions if at <= now]
            self._actions = [(at, action) for at, action in self._actions if at > now]
        for action in due:
            action()

    def keep(self, clock: Callable[[], float]) -> Callable[[], None]:
        """Run due actions from a thread until the returned function is called."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(LOOK_EVERY):
                self.run(clock())

        thread = threading.Thread(target=loop, name="chaos-due", daemon=True)
        thread.start()

        def stopped() -> None:
            stop.set()
            thread.join()

        return stopped
