"""What an operator may ask of a running worker from the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class WorkerCommand(StrEnum):
    """An operator's request to one worker; the worker reads it within a second."""

    # Stop claiming; finish what it holds and stay up (for a deploy or a bad upstream).
    QUIET = "quiet"
    # Drain as on SIGTERM: stop claiming, finish what it holds, then exit.
    STOP = "stop"
    # Claim again after a quiet (a stop cannot be taken back: the worker is draining).
    RESUME = "resume"


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandState:
    """The command a worker was given: by whom and when, and when it obeyed (None: not yet)."""

    command: WorkerCommand
    asked_by: str
    asked_at: datetime
    obeyed_at: datetime | None = None
