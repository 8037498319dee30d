"""The forkserver that process slots fork from, and starting it as early as possible.

Slots fork from a clean server process that has set Django up and imported every task
module once (preload.py): forking the supervisor itself would copy its threads' locks
mid-use, and spawning a fresh interpreter per slot would set Django up every time.

Setting Django up is most of a worker's start-up, and the server and the supervisor each
do it. Started from `manage.py` before the supervisor's own setup (`start_early`), the two
run side by side instead of one after the other. This module imports only the standard
library for that reason.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import sys
import threading
from collections.abc import Sequence
from multiprocessing.context import ForkServerContext

from .child import ORIGINAL_PYTHONPATH, SUPERVISOR_PID

PRELOAD = "scheduler_core.executor.preload"
# Options of `runworkers` after which no server is started early: help and version start no
# slots, and settings or a path chosen on the command line are only applied later, by
# Django (the server then starts with the first slot, as it always could).
_NOT_EARLY = ("-h", "--help", "--version", "--settings", "--pythonpath")

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


def uses_process_pool(options: Sequence[str]) -> bool:
    """Whether `runworkers` with these options will fork process slots (a rough parse:
    a wrong guess costs a server started for nothing, or one started later)."""
    if any(option.split("=", 1)[0] in _NOT_EARLY for option in options):
        return False
    for index, option in enumerate(options):
        if option == "--pool" and index + 1 < len(options):
            return options[index + 1] == "process"
        if option.startswith("--pool="):
            return option == "--pool=process"
    return True


def start_early(options: Sequence[str]) -> None:
    """Start the slots' forkserver now, while this process goes on to set Django up."""
    if uses_process_pool(options):
        process_context()
        multiprocessing.forkserver.ensure_running()
