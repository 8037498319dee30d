"""Inside a slot: a batch's tasks begun in order, the rest given back behind a long one.

The counter is the shared one a process slot uses (multiprocessing RawValue); the give-back
races the slot's main thread with real threads.
"""

from __future__ import annotations

import multiprocessing
import threading

from scheduler_core.domain import Task
from scheduler_core.executor.batching import QUEUE_PATIENCE
from scheduler_core.executor.slot_queue import (
    GIVEN_BACK_PREFIX,
    SlotQueue,
    decode_given_back,
    given_back_message,
)
from tests.unit.domain.builders import new_task


def queue_with(count: int) -> tuple[SlotQueue, list[Task], list[bytes], object]:
    begun = multiprocessing.RawValue("Q", 0)
    sent: list[bytes] = []
    queue = SlotQueue(begun, sent.append)
    made = [new_task(name=f"t{index}") for index in range(count)]
    queue.load(made)
    return queue, made, sent, begun


def test_tasks_are_begun_in_order_and_each_is_counted_as_it_begins() -> None:
    queue, made, sent, begun = queue_with(3)

    assert queue.next() is made[0]
    assert begun.value == 1  # type: ignore[attr-defined]
    assert [queue.next(), queue.next(), queue.next()] == [made[1], made[2], None]
    assert begun.value == 3  # type: ignore[attr-defined]
    assert sent == []


def test_the_tasks_behind_one_that_runs_past_its_patience_go_back_from_the_next_number() -> None:
    queue, made, sent, _ = queue_with(4)
    queue.next()
    began = queue._began_at

    assert queue.give_back_if_stuck(began + QUEUE_PATIENCE / 2) == 0
    assert queue.give_back_if_stuck(began + QUEUE_PATIENCE * 1.01) == 3

    assert sent == [given_back_message(2)]
    assert decode_given_back(sent[0]) == 2 and sent[0].startswith(GIVEN_BACK_PREFIX)
    # Given back, never begun: the slot's main thread finds the batch done.
    assert queue.next() is None


def test_nothing_goes_back_once_the_last_task_of_the_batch_began() -> None:
    queue, made, sent, _ = queue_with(2)
    queue.next()
    queue.next()

    assert queue.give_back_if_stuck(queue._began_at + 10 * QUEUE_PATIENCE) == 0
    assert sent == []


def race_once(count: int) -> tuple[list[Task], list[Task], list[bytes], int]:
    """A main thread taking tasks as fast as it can while the watchdog gives back."""
    queue, made, sent, begun = queue_with(count)
    taken: list[Task] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        while (task := queue.next()) is not None:
            taken.append(task)

    runner = threading.Thread(target=run)
    runner.start()
    start.wait()
    queue.give_back_if_stuck(float("inf"))
    runner.join()
    return made, taken, sent, int(begun.value)  # type: ignore[attr-defined]


def test_a_task_is_either_begun_or_given_back_never_both_nor_neither() -> None:
    for _ in range(200):
        made, taken, sent, begun = race_once(50)

        first_back = decode_given_back(sent[0]) if sent else len(made) + 1
        assert len(sent) <= 1
        assert taken == made[: first_back - 1]
        assert begun == len(taken)
