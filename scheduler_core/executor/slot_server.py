"""The forkserver that process slots fork from, itself forked from the set-up supervisor.

Slots fork from a server process that has Django set up and every task module imported
(preload.py): forking the supervisor itself, once it runs, would copy its threads' locks
mid-use, and spawning a fresh interpreter per slot would set Django up every time.

multiprocessing starts that server as a fresh interpreter, which sets Django up a second
time: about as much CPU as the supervisor's own start, every start, every worker. So
`runworkers` forks the server from the supervisor instead (`fork_server`), once Django is
set up and before the supervisor opens a connection or starts a thread: the server starts
with everything imported, at the cost of a fork. Where that cannot be done (a thread is
running: `runworkers` called from a program that has threads), the server is spawned with
the first slot, as multiprocessing does, and preloads what it needs itself.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import socket
import sys
import threading
import traceback
from multiprocessing import connection, resource_tracker, util
from multiprocessing.context import ForkServerContext
from typing import Any

from django.db import connections

from .child import (
    ORIGINAL_PYTHONPATH,
    SERVER_NAME,
    SUPERVISOR_PID,
    name_process,
    prepare_server,
)

PRELOAD = "scheduler_core.executor.preload"
# What multiprocessing's ForkServer (3.12, 3.13) keeps of a running server: fork_server
# fills them in as ensure_running() does after its spawn.
_SERVER_FIELDS = ("_forkserver_address", "_forkserver_alive_fd", "_forkserver_pid")

_context_lock = threading.Lock()
_context: ForkServerContext | None = None


def process_context() -> ForkServerContext:
    """The forkserver context of this process's slots (the server starts with the first)."""
    global _context
    with _context_lock:
        if _context is None:
            # The forkserver dies with this process, the supervisor; see preload.
            os.environ[SUPERVISOR_PID] = str(os.getpid())
            _put_import_roots_on_pythonpath()
            _context = multiprocessing.get_context("forkserver")
            _context.set_forkserver_preload([PRELOAD])
        return _context


def _put_import_roots_on_pythonpath() -> None:
    """Give the forkserver the directories this process imports the project from.

    The server is a fresh `python -c`: its sys.path holds its working directory and
    PYTHONPATH, not the directory of manage.py. multiprocessing hands it this process's
    sys.path, but Python (3.12 and 3.13 at least) does not apply it before importing the
    preload module, and swallows the ImportError. Started from another directory (a
    process manager, a harness), the server preloaded nothing and each slot set Django up
    itself after its fork: about 0.5 s of CPU per slot, at every start. The original
    PYTHONPATH is kept for preload.py to give back to the slots.
    """
    installed = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    roots: list[str] = []
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        inside = any(real == top or real.startswith(top + os.sep) for top in installed)
        if entry and not inside and entry not in roots:
            roots.append(entry)
    os.environ.setdefault(ORIGINAL_PYTHONPATH, os.environ.get("PYTHONPATH", ""))
    os.environ["PYTHONPATH"] = os.pathsep.join(roots)


def fork_server() -> bool:
    """Start the slots' forkserver as a fork of this process; False if it cannot be.

    Call it once Django is set up, before any thread starts: a fork copies only the
    calling thread, and a lock another thread held would stay held in the copy. Open
    database connections are closed first, so that no socket is shared with the server.
    """
    server: Any = multiprocessing.forkserver._forkserver
    if threading.active_count() > 1 or not all(hasattr(server, f) for f in _SERVER_FIELDS):
        return False
    if server._forkserver_pid is not None:
        return False
    process_context()
    # The tracker of shared memory and semaphores; spawned, it imports next to nothing.
    resource_tracker.ensure_running()
    connections.close_all()
    supervisor = os.getpid()
    with socket.socket(socket.AF_UNIX) as listener:
        address = connection.arbitrary_address("AF_UNIX")  # type: ignore[attr-defined]
        listener.bind(address)
        if not util.is_abstract_socket_namespace(address):
            os.chmod(address, 0o600)
        listener.listen()
        # Every client holds the write end; the server exits when the read end sees EOF.
        alive_r, alive_w = os.pipe()
        # Whatever is buffered would be written again by the server's children at exit.
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the server process; its work is seen in the slots
            os.close(alive_w)
            _serve(listener.fileno(), alive_r, supervisor)
        os.close(alive_r)
    server._forkserver_address = address
    server._forkserver_alive_fd = alive_w
    server._forkserver_pid = pid
    return True


def _serve(listener_fd: int, alive_r: int, supervisor: int) -> None:  # pragma: no cover
    """The forked server: prepared as a spawned one is (preload.py), then multiprocessing's loop."""
    code = 1
    try:
        name_process(SERVER_NAME)
        prepare_server(supervisor)
        multiprocessing.forkserver.main(listener_fd, alive_r, [])
    except SystemExit:
        # The last client closed its end of the "alive" pipe: the supervisor is done.
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        # Never the supervisor's exit handlers, nor a flush of its buffers, in this copy.
        os._exit(code)
