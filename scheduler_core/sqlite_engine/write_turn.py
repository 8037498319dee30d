"""Turns at SQLite's one write lock: waiting writers queue in the kernel, not in a sleep loop.

SQLite lets one connection write at a time. A connection that finds the lock taken sleeps
in its busy handler for growing pauses (up to 100 ms) and tries again, so the lock often
sits free while every writer sleeps: draining a backlog, one worker found it free 27.6 %
of the time and two workers 26.7 %, and two workers drained no faster than one
(docs/performance.md, round 11).

Here every transaction first takes its turn: an exclusive `flock` on a file beside the
database (`<database>-turn`), given back at commit or rollback. A writer that finds the
turn taken blocks in the kernel and wakes the moment it is given back.

The turn is advisory and only ever waited for a bounded time (`TURN_WAIT`): a writer that
does not get it in time goes on to `BEGIN IMMEDIATE` without it, where SQLite's own lock
and busy timeout decide as before. Once a wait has run out, the process's writers go on
without waiting until the turn is seen free again: a holder paused by SIGSTOP between its
turn and its transaction (or after its commit) costs each other process one `TURN_WAIT`,
not one per transaction, and heartbeats keep their pace. A holder killed gives the turn
back at once (the kernel drops a dead process's locks). No mistake here can do worse than
slow a writer down.

Within a process the turn belongs to a thread: the thread holding it takes it again at once
(a second connection to the same file), other threads wait for it on a condition. One
thread per process blocks in `flock` for all of them, so a wait can time out (`flock` itself
has no timeout).
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time

logger = logging.getLogger(__name__)

# How long a writer waits for its turn before going on without it. A turn normally lasts
# a few milliseconds; a wait this long means a holder is stuck (paused, swapping), and
# SQLite's busy timeout then takes over as it did before turns.
TURN_WAIT = 1.0


def turn_path(database: str) -> str:
    """The file whose lock is the turn of the SQLite database at `database`."""
    return f"{database}-turn"


def database_files(database: str) -> tuple[str, ...]:
    """Every file of the SQLite database at `database`: its own, SQLite's and the turn's."""
    return (database, f"{database}-wal", f"{database}-shm", turn_path(database))


class WriteTurn:
    """The write turn of one SQLite database file, as this process takes it."""

    def __init__(self, path: str, *, wait: float = TURN_WAIT) -> None:
        self.path = path
        self._wait = wait
        self._fd: int | None = None
        self._cond = threading.Condition(threading.Lock())
        self._owner: int | None = None  # the thread holding the turn
        self._depth = 0  # how many times the owner took it
        self._locked = False  # this process holds the file lock
        self._asking = False  # the asker thread is (about to be) blocked in flock
        self._wanting = 0  # threads waiting for the turn
        self._asker: threading.Thread | None = None
        self._off = False  # the lock file could not be opened
        self._stuck = False  # a wait ran out; nobody waits until the turn is seen free

    def take(self) -> bool:
        """Wait up to `TURN_WAIT` for the turn; False when going on without it."""
        me = threading.get_ident()
        with self._cond:
            if self._off:
                return False
            if self._owner == me:
                self._depth += 1
                return True
            if self._stuck:
                return False
            deadline = time.monotonic() + self._wait
            self._wanting += 1
            try:
                while True:
                    if self._locked and self._owner is None:
                        self._owner, self._depth = me, 1
                        return True
                    if not self._locked and not self._asking and not self._lock_or_ask():
                        return False
                    if self._locked and self._owner is None:
                        continue
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        self._stuck = True
                        logger.warning(
                            "SQLite write turn not had in %.1f s (%s): writing without it "
                            "until it is free",
                            self._wait,
                            self.path,
                        )
                        return False
                    self._cond.wait(remaining)
            finally:
                self._wanting -= 1

    def give_back(self) -> None:
        """Give the turn back (once per `take` that returned True, on the same thread)."""
        with self._cond:
            if self._owner != threading.get_ident():
                return
            self._depth -= 1
            if self._depth:
                return
            self._owner = None
            self._locked = False
            self._stuck = False
            assert self._fd is not None
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            # Threads of this process waiting for it take it without the asker if it is free.
            self._cond.notify_all()

    def held_by_me(self) -> bool:
        """True while the calling thread holds the turn."""
        with self._cond:
            return self._owner == threading.get_ident()

    def forget(self) -> None:
        """In a forked child: drop the parent's descriptor without touching its lock."""
        if self._fd is not None:
            # flock belongs to the open file description, shared with the parent: closing
            # this copy leaves the parent's lock alone, and a child that outlives its parent
            # (a slot past a killed supervisor) cannot keep the turn held.
            os.close(self._fd)
            self._fd = None
        # A thread of the parent may have held the condition's lock at the fork.
        self._cond = threading.Condition(threading.Lock())
        self._owner, self._depth, self._locked, self._asking = None, 0, False, False
        self._stuck = False
        self._asker = None

    def _lock_or_ask(self) -> bool:
        """Under the condition: take the file lock if free, else have the asker wait for it.

        False when the lock file cannot be opened (the turn is then skipped).
        """
        if self._fd is None:
            self._fd = _open_lock_file(self.path)
            if self._fd is None:
                self._off = True
                return False
            # Started with the descriptor rather than at the first wait, so a process has
            # the same threads however busy its database is.
            self._asker = threading.Thread(
                target=self._ask_forever, name="sqlite-write-turn", daemon=True
            )
            self._asker.start()
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._asking = True
            self._cond.notify_all()
            return True
        self._locked = True
        return True

    def _ask_forever(self) -> None:
        """The asker thread: block in flock whenever a thread of this process waits."""
        while True:
            with self._cond:
                while not self._asking:
                    self._cond.wait()
                fd = self._fd
            assert fd is not None
            fcntl.flock(fd, fcntl.LOCK_EX)
            with self._cond:
                self._asking = False
                self._stuck = False
                if self._wanting and not self._locked:
                    self._locked = True
                    self._cond.notify_all()
                elif not self._locked:
                    # Every waiter gave up meanwhile (went on without the turn).
                    fcntl.flock(fd, fcntl.LOCK_UN)


def _open_lock_file(path: str) -> int | None:
    """A descriptor of the turn file, created beside the database if need be."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except PermissionError:
        pass
    except OSError as error:
        logger.warning("SQLite write turn off for %s: %s", path, error)
        return None
    try:
        # flock needs no write access: a reader of the directory can still queue.
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as error:
        logger.warning("SQLite write turn off for %s: %s", path, error)
        return None


_turns: dict[str, WriteTurn] = {}
_turns_lock = threading.Lock()


def write_turn(database: str) -> WriteTurn:
    """This process's turn object for the SQLite database at `database`."""
    path = turn_path(database)
    turn = _turns.get(path)
    if turn is None:
        with _turns_lock:
            turn = _turns.setdefault(path, WriteTurn(path))
    return turn


def _forget_after_fork() -> None:
    global _turns_lock
    for turn in _turns.values():
        turn.forget()
    _turns.clear()
    _turns_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
