"""Imported by the forkserver before it forks slots, so each slot starts with Django ready.

The forkserver also dies with the supervisor that started it (its slots die with it in
turn) and leaves group-wide SIGTERM/SIGINT to the supervisor, like the slots do.
"""

import os

from .child import SUPERVISOR_PID, die_with_parent, ignore_stop_signals, prepare

_supervisor = os.environ.get(SUPERVISOR_PID)
die_with_parent(int(_supervisor) if _supervisor else None)
ignore_stop_signals()
prepare()
