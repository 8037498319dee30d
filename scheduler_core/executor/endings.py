"""How a held attempt ends, as the worker writes it: an outcome, a cancel, or a hand-back.

Every ending takes the same path: the main loop collects a round's endings and hands them
to the outcome writer, which stores them in one transaction per batch and only then lets
go of their leases and gives their capacity back. The main loop never waits for the
database, whether a slot reported the outcome or the worker ended the attempt itself (a
timeout, a crashed slot, a cancel, a stop).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scheduler_core.domain import Task

from .codec import Outcome


@dataclass(frozen=True, slots=True)
class Cancelled:
    """The worker stopped the attempt (or dropped the claim) because a cancel was asked."""


@dataclass(frozen=True, slots=True)
class Released:
    """The attempt is handed back unfinished: its lease ends now and the rescue takes it."""


@dataclass(frozen=True, slots=True)
class HandedBack:
    """A claim whose code never began goes back: ready at once, no attempt used, and not
    counted as a claim lost with its worker (Task.hand_back)."""


CANCELLED = Cancelled()
RELEASED = Released()
HANDED_BACK = HandedBack()

Ending = Outcome | Cancelled | Released | HandedBack
# A task and how its held attempt ended.
Settled = tuple[Task, Ending]


def gives_attempt_back(ending: Ending) -> bool:
    """True for an ending that hands the attempt number back (a hand-back, a snooze): once
    written, the task may be claimed again under the same number, by this worker too."""
    return isinstance(ending, HandedBack) or (
        isinstance(ending, Outcome) and ending.snooze is not None
    )


def held_until_written(settled: Sequence[Settled]) -> list[Task]:
    """The tasks of `settled` still held until their ending is written: all but those whose
    ending gives the attempt back, let go of as they ended (Supervisor._end)."""
    return [task for task, ending in settled if not gives_attempt_back(ending)]


def queued_endings(began: Sequence[Task], unstarted: Sequence[Task]) -> list[Settled]:
    """How the tasks queued in a slot stopped for its running attempt end: one that began
    after all is released (the rescue judges what it cost), one that never began goes back.
    """
    return [(task, RELEASED) for task in began] + [(task, HANDED_BACK) for task in unstarted]


def ended_by_worker(task: Task, exception_type: str, message: str) -> Outcome:
    """The failed outcome of an attempt the worker itself ended (a timeout, a crashed slot)."""
    return Outcome(
        task_id=task.id,
        attempt=task.attempt,
        succeeded=False,
        exception_type=exception_type,
        message=message,
    )
