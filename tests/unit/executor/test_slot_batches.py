"""Several short tasks in one hand-over: how many, to which slot, and how each one ends.

Without forking: the slots here count their begun tasks as the test says (handovers.py's
stand-in), and record what they were sent.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta

import pytest

from scheduler_core.bootstrap import build_services
from scheduler_core.domain import Task
from scheduler_core.executor.batching import (
    BATCH_WHILE_TASKS_UNDER,
    BATCH_WORK,
    MAX_BATCH,
    RunTimes,
    batch_size,
)
from scheduler_core.executor.buffer import TaskBuffer
from scheduler_core.executor.codec import Outcome
from scheduler_core.executor.config import WorkerConfig
from scheduler_core.executor.endings import HANDED_BACK, RELEASED, queued_endings
from scheduler_core.executor.events import GivenBack
from scheduler_core.executor.handovers import sort_handovers
from scheduler_core.executor.inbox import Inbox
from scheduler_core.executor.lease_clock import LeaseClock
from scheduler_core.executor.slot_pool import SlotPool
from scheduler_core.executor.slots import ThreadSlot
from scheduler_core.executor.supervisor import Supervisor
from tests.unit.domain.builders import new_task

from .supervising import claim, started_supervisor

SHORT = BATCH_WHILE_TASKS_UNDER / 10


class BatchSlot(ThreadSlot):
    """A slot never started that takes batches, counts begun tasks as told, records sends."""

    def __init__(self, limit: int = MAX_BATCH) -> None:
        super().__init__(Inbox())
        self.counted = 0
        self.limit = limit
        self.messages: list[list[Task]] = []
        self.stopped = False

    @property
    def batch_limit(self) -> int:
        return self.limit

    @property
    def begun(self) -> int:
        return self.counted

    def _send(self, tasks: Sequence[Task]) -> None:
        self.messages.append(list(tasks))

    def stop(self) -> None:
        self.stopped = True
        self.retired = True


def tasks(count: int) -> list[Task]:
    return [new_task(name=f"t{index}") for index in range(count)]


def buffered(count: int) -> tuple[TaskBuffer, list[Task]]:
    made = tasks(count)
    buffer = TaskBuffer()
    buffer.add(made, 0.0)
    return buffer, made


def pool_of(*slots: BatchSlot) -> SlotPool:
    pool = SlotPool(WorkerConfig(queues=("default",), concurrency=len(slots)), Inbox())
    pool.slots = list(slots)
    return pool


LEASES = LeaseClock(timedelta(seconds=30), 10)


def running(slot: BatchSlot) -> Task | None:
    """The slot's running task, read afresh (not narrowed by an earlier assert)."""
    return slot.task


# -- how many ---------------------------------------------------------------------------


def test_tasks_that_are_not_short_go_one_at_a_time() -> None:
    assert batch_size(BATCH_WHILE_TASKS_UNDER, waiting=100, idle_slots=1) == 1
    assert batch_size(0.2, waiting=100, idle_slots=1) == 1


def test_short_tasks_are_shared_evenly_among_the_idle_slots() -> None:
    assert batch_size(SHORT, waiting=12, idle_slots=4) == 3
    # Fewer waiting than idle slots: one each, no slot takes a queue while another idles.
    assert batch_size(SHORT, waiting=3, idle_slots=4) == 1
    assert batch_size(SHORT, waiting=1, idle_slots=1) == 1


def test_a_batch_holds_at_most_max_batch_tasks_and_batch_work_seconds() -> None:
    assert batch_size(SHORT, waiting=1000, idle_slots=1) == MAX_BATCH
    typical = BATCH_WORK / 3
    if typical < BATCH_WHILE_TASKS_UNDER:
        assert batch_size(typical, waiting=1000, idle_slots=1) == 3


# -- to which slot ----------------------------------------------------------------------


def test_a_drain_of_short_tasks_sends_each_idle_slot_a_share_in_one_message() -> None:
    first, second = BatchSlot(), BatchSlot()
    buffer, made = buffered(10)

    handed = pool_of(first, second).dispatch(buffer, LEASES, SHORT)

    assert first.messages == [made[:5]] and second.messages == [made[5:]]
    assert [(h.slot, h.number, h.task) for h in handed] == [
        *((first, number, task) for number, task in enumerate(made[:5], start=1)),
        *((second, number, task) for number, task in enumerate(made[5:], start=1)),
    ]
    assert first.task is made[0] and list(first.queued) == made[1:5]


def test_long_tasks_are_handed_over_one_per_slot() -> None:
    first, second = BatchSlot(), BatchSlot()
    buffer, made = buffered(3)

    pool_of(first, second).dispatch(buffer, LEASES, BATCH_WHILE_TASKS_UNDER)

    assert first.messages == [made[:1]] and second.messages == [made[1:2]]
    assert len(buffer) == 1


def test_a_slot_that_takes_one_at_a_time_is_never_sent_more() -> None:
    single = BatchSlot(limit=1)
    buffer, made = buffered(4)

    pool_of(single).dispatch(buffer, LEASES, SHORT)

    assert single.messages == [made[:1]]


def test_a_batch_lease_runs_out_with_its_oldest_claim() -> None:
    slot = BatchSlot()
    buffer = TaskBuffer()
    older, newer = tasks(2)
    buffer.add([older], 100.0)
    buffer.add([newer], 105.0)

    pool_of(slot).dispatch(buffer, LEASES, SHORT)

    assert slot.lease_deadline == LEASES.deadline(100.0)


# -- how each ends ----------------------------------------------------------------------


def test_each_outcome_moves_the_slot_on_to_the_next_queued_task() -> None:
    slot = BatchSlot()
    made = tasks(3)
    slot.run(made, 0.0, 50.0)

    assert slot.done() is made[0]
    assert slot.task is made[1] and slot.current_number == 2 and slot.busy
    # The queued tasks run under the batch's lease.
    assert slot.lease_deadline == 50.0
    assert slot.done() is made[1]
    assert slot.done() is made[2]
    assert running(slot) is None
    assert slot.lease_deadline == float("inf")


def test_starts_are_stamped_for_queued_tasks_once_each_is_counted_as_begun() -> None:
    slot = BatchSlot()
    buffer, made = buffered(3)
    handed = pool_of(slot).dispatch(buffer, LEASES, SHORT)

    slot.counted = 2
    begun, waiting = sort_handovers(handed)

    assert begun == made[:2] and [h.task for h in waiting] == made[2:]


@pytest.mark.parametrize(
    ("finished", "first", "given", "left"),
    [
        # Behind the running task (number 1): every queued one from the named number on.
        (0, 3, [2, 3], [0, 1]),
        (0, 2, [1, 2, 3], [0]),
        # The number it names is the task the slot is on: that one never began, and goes too.
        (1, 2, [1, 2, 3], []),
        # The running task finished first (its outcome came before): the rest go.
        (2, 4, [3], [2]),
    ],
)
def test_a_slot_gives_back_exactly_the_tasks_from_the_number_it_names(
    finished: int, first: int, given: list[int], left: list[int]
) -> None:
    slot = BatchSlot()
    made = tasks(4)
    slot.run(made, 0.0, 50.0)
    for _ in range(finished):
        slot.done()

    back = slot.give_back_from(first)

    assert back == [made[index] for index in given]
    held = [] if slot.task is None else [slot.task, *slot.queued]
    assert held == [made[index] for index in left]


def test_a_stopped_slot_splits_its_queue_by_what_it_began() -> None:
    slot = BatchSlot()
    made = tasks(4)
    slot.run(made, 0.0, 50.0)
    # It began the second task before the first one's outcome was read.
    slot.counted = 2

    began, unstarted = slot.stop_queued()

    assert slot.stopped
    assert began == made[1:2] and unstarted == made[2:]
    assert queued_endings(began, unstarted) == [
        (made[1], RELEASED),
        (made[2], HANDED_BACK),
        (made[3], HANDED_BACK),
    ]


def test_retiring_a_slot_frees_it_of_its_queue_and_returns_it() -> None:
    slot = BatchSlot()
    pool = pool_of(slot)
    made = tasks(3)
    slot.run(made, 0.0, 50.0)
    pool._new_slot = lambda: BatchSlot()  # type: ignore[method-assign]

    began, unstarted = pool.retire(slot)

    assert (began, unstarted) == ([], made[1:])
    assert slot.task is None and not slot.queued and slot.retired
    assert pool.slots[0] is not slot


def test_after_a_give_back_later_tasks_are_numbered_as_the_slot_counts_its_begins() -> None:
    # The slot began the first task and gave back the two behind it: the next task it
    # begins is its second, whatever the supervisor had sent it.
    slot = BatchSlot()
    pool = pool_of(slot)
    buffer, made = buffered(5)
    pool.dispatch(buffer, LEASES, SHORT)
    slot.counted = 1
    assert slot.give_back_from(2) == made[1:5]
    slot.done()
    again = tasks(3)
    buffer.add(again, 0.0)

    handed = pool.dispatch(buffer, LEASES, SHORT)
    slot.counted = 2

    assert [h.number for h in handed] == [2, 3, 4]
    assert sort_handovers(handed)[0] == again[:1]
    # A give-back in the new batch names its tasks by the same count.
    assert slot.give_back_from(3) == again[1:]
    assert slot.task is again[0]


def supervisor_with_a_batch(draining: bool) -> tuple[Supervisor, BatchSlot, list[Task]]:
    """A supervisor whose one slot was sent three claimed tasks in one message."""
    services = build_services("memory", task_names=["tests.noop"], lease=timedelta(seconds=10))
    supervisor = started_supervisor(services, lease=timedelta(seconds=10), heartbeat_interval=3)
    made = claim(supervisor, services, "tests.noop", 3)
    slot = BatchSlot()
    supervisor.pool.slots = [slot]
    supervisor.pending.add(made, time.monotonic())
    supervisor.handed = supervisor.pool.dispatch(supervisor.pending, supervisor.lease_clock, SHORT)
    if draining:
        supervisor.draining_since = time.monotonic()
    return supervisor, slot, made


def test_tasks_a_slot_gave_back_wait_in_the_buffer_for_the_next_free_slot() -> None:
    supervisor, slot, made = supervisor_with_a_batch(draining=False)
    lease_sent_at = slot.lease_sent_at

    supervisor._handle(GivenBack(slot, 2))

    # Their hand-overs are forgotten: the numbers they had go to the slot's next tasks.
    assert [h.task for h in supervisor.handed] == made[:1]
    # Still claimed here, under the lease they had: no write, and no re-claim of them.
    assert supervisor.finished == []
    assert [supervisor.pending.take() for _ in range(2)] == [
        (made[1], lease_sent_at),
        (made[2], lease_sent_at),
    ]


def test_a_draining_worker_hands_back_what_a_slot_gave_back() -> None:
    supervisor, slot, made = supervisor_with_a_batch(draining=True)

    supervisor._handle(GivenBack(slot, 2))

    assert [h.task for h in supervisor.handed] == made[:1]
    assert supervisor.finished == [(made[1], HANDED_BACK), (made[2], HANDED_BACK)]
    assert len(supervisor.pending) == 0


def test_batches_follow_how_long_code_ran_in_the_slots_not_the_supervisor_s_delays() -> None:
    runs = RunTimes()
    assert runs.typical >= BATCH_WHILE_TASKS_UNDER
    for _ in range(30):
        runs.note(SHORT)
        # A thread slot measures nothing.
        runs.note(None)
    assert runs.typical < BATCH_WHILE_TASKS_UNDER
    outcome = Outcome(task_id=new_task().id, attempt=1, succeeded=True)
    assert Outcome.decode(outcome.encode(ran=0.25)).ran == 0.25
    assert Outcome.decode(outcome.encode()).ran is None
