"""Settings of the chaos and soak runs: the project's, plus the chaos tasks and schedule.

The database comes from DATABASE_URL as usual; the runner points it at a database of its
own, never the development one.
"""

from __future__ import annotations

import os

from dashboard.settings import *  # noqa: F403
from dashboard.settings import SCHEDULER

from .kinds import KINDS, SCHEDULE_NAME, TASKS_MODULE

SCHEDULER["TASK_MODULES"] = [*SCHEDULER["TASK_MODULES"], TASKS_MODULE]
# A tick every few seconds; "all" fires every due time missed while no worker could tick
# (a database restart), so the checker can demand one task for every point of the grid.
SCHEDULER["SCHEDULES"] = {
    SCHEDULE_NAME: {
        "task": KINDS["tick"].name,
        "interval": int(os.environ.get("CHAOS_TICK_SECONDS", "3")),
        "catch_up": "all",
        "catch_up_limit": 1000,
        "max_attempts": KINDS["tick"].max_attempts,
    }
}
# The soak runs without it (CHAOS_SCHEDULE=0): nothing there should tick.
if os.environ.get("CHAOS_SCHEDULE", "1") == "0":
    SCHEDULER["SCHEDULES"] = {}
