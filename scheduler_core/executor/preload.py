"""Imported by the forkserver before it forks slots, so each slot starts with Django ready.

The forkserver also dies with the supervisor that started it (its slots die with it in
turn) and leaves group-wide SIGTERM/SIGINT to the supervisor, like the slots do.
"""

import os

from .child import (
    SUPERVISOR_PID,
    die_with_parent,
    ignore_stop_signals,
    prepare,
    restore_worker_pythonpath,
)

# The supervisor put its import roots on PYTHONPATH for this server only (slot_server.py);
# the slots, and what their tasks start, get the environment the worker was started with.
restore_worker_pythonpath()
_supervisor = os.environ.get(SUPERVISOR_PID)
die_with_parent(int(_supervisor) if _supervisor else None)
ignore_stop_signals()
prepare()
# What each slot imports to run its first task, imported once here instead of in every slot.
from . import codec, execution, progress_report, watchdog  # noqa: E402, F401
