"""What the main loop reads from a process slot's pipe: outcomes, then the slot's exit.

Without forking: the slot's pipe is a real pipe, its process a stand-in that records kills.
"""

from __future__ import annotations

import logging
import os
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from uuid import uuid4

import pytest

from scheduler_core.executor.codec import Outcome, decode_tasks, encode_task
from scheduler_core.executor.events import Exited, Finished, GivenBack
from scheduler_core.executor.inbox import Inbox
from scheduler_core.executor.slot_queue import given_back_message
from scheduler_core.executor.slots import ProcessSlot
from tests.unit.domain.builders import new_task


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
    slot._attach(parent)
    slot._process = process
    return slot, child, process


def send_outcomes(child: Connection, count: int) -> list[Outcome]:
    """Successes the child sends, one message each."""
    outcomes = [Outcome(task_id=uuid4(), attempt=1, succeeded=True) for _ in range(count)]
    for outcome in outcomes:
        child.send_bytes(outcome.encode())
    return outcomes


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


def test_broken_framing_stops_the_slot_not_the_worker(
    slot_and_child: tuple[ProcessSlot, Connection, StandIn], caplog: pytest.LogCaptureFixture
) -> None:
    slot, child, process = slot_and_child
    os.write(child.fileno(), (-7).to_bytes(4, "big", signed=True) + b"junk")

    with caplog.at_level(logging.ERROR):
        events = slot._read()

    assert events == []
    assert process.killed
    assert "cannot be read" in caplog.text


def test_an_exit_comes_after_every_outcome_sent_before_it(
    slot_and_child: tuple[ProcessSlot, Connection, StandIn],
) -> None:
    slot, child, process = slot_and_child
    outcomes = send_outcomes(child, 3)
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


def test_one_read_takes_every_outcome_waiting_on_the_pipe(
    slot_and_child: tuple[ProcessSlot, Connection, StandIn],
) -> None:
    # A slot running a batch sends outcomes one right after another: one wake-up, all read.
    slot, child, _ = slot_and_child
    outcomes = send_outcomes(child, 3)

    events = slot._read()

    assert [event.outcome for event in events if isinstance(event, Finished)] == outcomes
    assert not slot._connection.poll(0)  # type: ignore[union-attr]


def test_a_give_back_from_the_slot_is_read_as_one(
    slot_and_child: tuple[ProcessSlot, Connection, StandIn],
) -> None:
    slot, child, _ = slot_and_child
    child.send_bytes(given_back_message(5))

    assert slot._read() == [GivenBack(slot, 5)]


def test_a_batch_goes_to_the_slot_as_one_json_list_of_tasks(
    slot_and_child: tuple[ProcessSlot, Connection, StandIn],
) -> None:
    slot, child, _ = slot_and_child
    made = [new_task(name=f"t{index}") for index in range(3)]

    first = slot.run(made, 0.0, float("inf"))

    received = decode_tasks(child.recv_bytes())
    assert first == 1 and [task.id for task in received] == [task.id for task in made]
    assert not child.poll(0)


def test_a_message_that_is_not_a_list_of_tasks_is_refused() -> None:
    with pytest.raises(ValueError, match="list of tasks"):
        decode_tasks(encode_task(new_task()))
