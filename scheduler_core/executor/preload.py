"""Imported by the forkserver before it forks slots, so each slot starts with Django ready.

The forkserver also dies with the supervisor that started it (its slots die with it in
turn) and leaves group-wide SIGTERM/SIGINT to the supervisor, like the slots do.
"""

import os

from .child import SUPERVISOR_PID, prepare_server

# The supervisor put its import roots on PYTHONPATH for this server only (slot_server.py);
# prepare_server gives the slots the environment the worker was started with.
_supervisor = os.environ.get(SUPERVISOR_PID)
prepare_server(int(_supervisor) if _supervisor else None)
