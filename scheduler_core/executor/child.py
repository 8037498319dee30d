"""The code a slot process runs: receive a task as JSON, run it, send the outcome back."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import signal
import threading
import time
from multiprocessing.connection import Connection
from types import FrameType
from typing import Any

# PR_SET_PDEATHSIG and PR_SET_NAME from <linux/prctl.h>.
_PR_SET_PDEATHSIG = 1
_PR_SET_NAME = 15
# The forked slots' server's name in ps and top (/proc/<pid>/comm): its command line is the
# supervisor's own.
SERVER_NAME = "slot-server"
# The environment variable that names the supervisor to the forkserver it starts.
SUPERVISOR_PID = "SCHEDULER_SUPERVISOR_PID"
# The PYTHONPATH the worker was started with ("" for none), while the forkserver starts
# with the supervisor's import roots (slot_server.py).
ORIGINAL_PYTHONPATH = "SCHEDULER_ORIGINAL_PYTHONPATH"


def restore_worker_pythonpath() -> None:
    """Give the slots back the PYTHONPATH the worker was started with (slot_server.py put
    the supervisor's import roots on it for a spawned server only)."""
    original = os.environ.pop(ORIGINAL_PYTHONPATH, None)
    if original == "":
        os.environ.pop("PYTHONPATH", None)
    elif original is not None:
        os.environ["PYTHONPATH"] = original


def prepare() -> None:
    """Set Django up and import every task module, once per forkserver or slot process."""
    import django
    from django.apps import apps

    from .worker_apps import use_worker_apps

    if not apps.ready:
        use_worker_apps()
        django.setup()
    from scheduler_core.task_backend.registry import registry

    registry.autodiscover()


def prepare_server(supervisor: int | None) -> None:
    """Make this process the slots' server, spawned (preload.py) or forked (slot_server.py):
    the worker's own PYTHONPATH back, death with the supervisor, group signals left to it,
    Django set up, and what each slot imports to run its first task imported once here."""
    restore_worker_pythonpath()
    die_with_parent(supervisor)
    ignore_stop_signals()
    prepare()
    # multiprocessing's own, which each slot otherwise imports as it unpickles its
    # process object (the shared deadline and start counter need the shared-memory heap).
    import multiprocessing.popen_forkserver
    import multiprocessing.sharedctypes  # noqa: F401

    from . import codec, execution, progress_report, slot_queue, watchdog  # noqa: F401


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library, for prctl; looked up once per process, and inherited by forks.

    First through the symbols the interpreter already has loaded (dlopen of NULL), where
    libc is. `ctypes.util.find_library` runs `ldconfig -p` in a subprocess on each call:
    the forkserver ran it twice and every slot once more, before any could take a task.
    """
    try:
        loaded = ctypes.CDLL(None, use_errno=True)
        loaded.prctl  # noqa: B018 - the lookup is the check
        return loaded
    except (OSError, AttributeError):  # pragma: no cover - an interpreter without libc loaded
        name = ctypes.util.find_library("c")
        return None if name is None else ctypes.CDLL(name, use_errno=True)


def name_process(name: str) -> None:
    """Set this process's name as ps and top show it (at most 15 bytes are kept)."""
    libc = _libc()
    if libc is not None:
        libc.prctl(_PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def die_with_parent(expected_parent: int | None = None) -> None:
    """Ask Linux to kill this process when its parent dies, even by SIGKILL.

    The slot's parent is the forkserver, and the forkserver's is the supervisor, so a
    supervisor's death takes both down in two hops. A parent that died before the request
    was made would never signal: then exit now (when the expected parent is known).
    """
    libc = _libc()
    if libc is None:  # pragma: no cover - not Linux
        return
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(1)


def ignore_stop_signals() -> None:
    """Leave SIGTERM and SIGINT to the supervisor, which decides how its slots stop.

    `systemctl stop`, `timeout`, Docker and Ctrl-C signal the whole process group or
    cgroup; a slot that died of it would lose the attempt the supervisor means to drain.
    A handler (not SIG_IGN) so that programs the task starts get the default back on exec.
    """
    for each in (signal.SIGTERM, signal.SIGINT):
        signal.signal(each, _ignored)


def _ignored(signum: int, frame: FrameType | None) -> None:
    """Take no notice; the supervisor stops slots itself (SIGKILL) when it must."""


def slot_main(
    connection: Connection,
    max_tasks: int | None,
    deadline: Any,
    begun: Any,
    supervisor_pid: int,
) -> None:
    """Run the tasks sent on `connection` until it closes or `max_tasks` have run.

    Each message is a JSON list of tasks, run in order (batching.py), each outcome sent as
    soon as it is known. `deadline` is the shared lease deadline of the attempts this slot
    holds (see watchdog.py); `begun` counts the attempts whose code this slot began, for
    the supervisor, which stamps a start only once it is counted there (slots.py).
    """
    die_with_parent()
    ignore_stop_signals()
    from .slot_queue import SlotQueue
    from .watchdog import Watchdog

    # The watchdog writes to the pipe too (a give-back), so every write takes the lock.
    sending = threading.Lock()

    def send(data: bytes) -> None:
        with sending:
            connection.send_bytes(data)

    queue = SlotQueue(begun, send)
    watchdog = Watchdog(deadline, supervisor_pid, queue)
    watchdog.start()
    prepare()
    from .codec import decode_tasks
    from .execution import execute
    from .progress_report import pipe_sink

    progress = pipe_sink(send)
    done = 0
    while max_tasks is None or done < max_tasks:
        try:
            data = connection.recv_bytes()
        except (EOFError, OSError):
            return
        watchdog.busy.set()
        queue.load(decode_tasks(data))
        while True:
            # Frozen between the hand-over and here past the lease (a pause of the whole
            # worker), the attempt may have been rescued and be running elsewhere: never begun.
            watchdog.stop_if_lapsed()
            task = queue.next()
            if task is None:
                break
            began = time.monotonic()
            outcome = execute(task, progress)
            send(outcome.encode(ran=time.monotonic() - began))
            done += 1
        watchdog.busy.clear()
