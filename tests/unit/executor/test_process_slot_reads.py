"""What the main loop reads from a process slot's pipe: outcomes, then the slot's exit.

Without forking: the slot's pipe is a real pipe, its process a stand-in that records kills.
"""

from __future__ import annotations

import logging
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from uuid import uuid4

import pytest

from scheduler_core.executor.codec import Outcome
from scheduler_core.executor.events import Exited, Finished
from scheduler_core.executor.inbox import Inbox
from scheduler_core.executor.slots import ProcessSlot


class StandIn:
    """The slot's process: dead or alive, killed or not."""

    def __init__(self) -> None:
        self.killed = False
        self.exitcode: int | None = None
        # Not watched here (unwatch of an unknown descriptor does nothing).
        self.sentinel = -1

    def kill(self) -> None:
        self.killed = True
        self.exitcode = -9

    def join(self, timeout: float | None = None) -> None:
        pass

    def is_alive(self) -> bool:
        return self.exitcode is None


@pytest.fixture
def slot_and_child() -> tuple[ProcessSlot, Connection, StandIn]:
    slot = ProcessSlot(Inbox(), None)
    parent, child = Pipe(duplex=True)
    process = StandIn()
    slot._connection = parent
    slot._process = process
    return slot, child, process


def test_a_message_that_cannot_be_read_stops_the_slot_not_the_worker(
    slot_and_child: tuple[ProcessSlot, Connection, StandIn], caplog: pytest.LogCaptureFixture
) -> None:
    slot, child, process = slot_and_child
    child.send_bytes(b"{not json")

    with caplog.at_level(logging.ERROR):
        events = slot._read()

    assert events == []
    # Its exit is then reported as any crash is: the attempt ends as SlotCrashed.
    assert process.killed
    assert "cannot be read" in caplog.text


def test_an_exit_comes_after_every_outcome_sent_before_it(
    slot_and_child: tuple[ProcessSlot, Connection, StandIn],
) -> None:
    slot, child, process = slot_and_child
    outcomes = [Outcome(task_id=uuid4(), attempt=1, succeeded=True) for _ in range(3)]
    for outcome in outcomes:
        child.send_bytes(outcome.encode())
    child.close()
    process.exitcode = 0

    events = slot._ended()

    assert [type(event) for event in events] == [Finished, Finished, Finished, Exited]
    assert [event.outcome for event in events if isinstance(event, Finished)] == outcomes
    assert events[-1] == Exited(slot, 0)


def test_an_exit_with_the_pipe_still_open_does_not_wait_for_it(
    slot_and_child: tuple[ProcessSlot, Connection, StandIn],
) -> None:
    # Should another process still hold the child's end, the pipe never reaches its end.
    slot, child, process = slot_and_child
    process.exitcode = 1

    events = slot._ended()

    assert events == [Exited(slot, 1)]
    child.close()
