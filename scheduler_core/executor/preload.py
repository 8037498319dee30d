"""Imported by the forkserver before it forks slots, so each slot starts with Django ready.

The forkserver also dies with the supervisor that started it (its slots die with it in
turn) and leaves group-wide SIGTERM/SIGINT to the supervisor, like the slots do.
"""

import os

from .child import (
    ORIGINAL_PYTHONPATH,
    SUPERVISOR_PID,
    die_with_parent,
    ignore_stop_signals,
    prepare,
)

# The supervisor put its import roots on PYTHONPATH for this server only (slot_server.py);
# the slots, and what their tasks start, get the environment the worker was started with.
_original = os.environ.pop(ORIGINAL_PYTHONPATH, None)
if _original == "":
    os.environ.pop("PYTHONPATH", None)
elif _original is not None:
    os.environ["PYTHONPATH"] = _original
_supervisor = os.environ.get(SUPERVISOR_PID)
die_with_parent(int(_supervisor) if _supervisor else None)
ignore_stop_signals()
prepare()
