"""Defaults shared by the domain and every adapter."""

from __future__ import annotations

import re
from datetime import timedelta

DEFAULT_QUEUE = "default"
DEFAULT_MAX_ATTEMPTS = 3
# Generous enough that a busy worker's heartbeat always lands well before it runs out.
DEFAULT_LEASE = timedelta(seconds=60)
MAX_ATTEMPTS_LIMIT = 1000
# A claim that never started is given back without costing an attempt, this many times at
# most: past that the task counts its lost claims as attempts, so that a task which brings
# down whole workers as it starts cannot be handed round for ever.
MAX_DROPPED_CLAIMS = 10
# A task may snooze (scheduler_core.Snooze) this many times; the next snooze fails it for
# good, so that a task which always snoozes cannot wait and come back for ever.
MAX_SNOOZES = 100
# The longest a single snooze may put a task back to wait (seconds): 30 days.
MAX_SNOOZE_SECONDS = 30 * 24 * 3600
MAX_NAME_LENGTH = 200
MAX_QUEUE_LENGTH = 100
MAX_UNIQUE_KEY_LENGTH = 255
# A dotted Python-style path ("app.tasks.send_email") or a plain identifier.
TASK_NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
QUEUE_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
