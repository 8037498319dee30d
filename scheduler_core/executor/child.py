"""The code a slot process runs: receive a task as JSON, run it, send the outcome back."""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
from multiprocessing.connection import Connection

# PR_SET_PDEATHSIG from <linux/prctl.h>.
_PR_SET_PDEATHSIG = 1


def prepare() -> None:
    """Set Django up and import every task module, once per forkserver or slot process."""
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from scheduler_core.registry import registry

    registry.autodiscover()


def die_with_parent() -> None:
    """Ask Linux to kill this process when the supervisor dies, even by SIGKILL.

    Otherwise an orphaned slot would keep running a task whose lease is about to expire and
    be handed to another worker: two executions at once.
    """
    name = ctypes.util.find_library("c")
    if name is None:  # pragma: no cover - not Linux
        return
    libc = ctypes.CDLL(name, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def slot_main(connection: Connection, max_tasks: int | None) -> None:
    """Run tasks sent on `connection` until it closes or `max_tasks` have run."""
    die_with_parent()
    # Ctrl-C reaches the whole process group; only the supervisor decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    prepare()
    from .codec import decode_task
    from .execution import execute

    done = 0
    while max_tasks is None or done < max_tasks:
        try:
            data = connection.recv_bytes()
        except (EOFError, OSError):
            return
        outcome = execute(decode_task(data))
        connection.send_bytes(outcome.encode())
        done += 1
