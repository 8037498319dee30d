"""Which hand-overs to slots have their starts stamped, which wait, which are dropped."""

from __future__ import annotations

from collections.abc import Sequence

from scheduler_core.domain import Task
from scheduler_core.executor.handovers import (
    BEGIN_PATIENCE,
    BEGIN_POLL,
    Handover,
    next_look,
    sort_handovers,
)
from scheduler_core.executor.inbox import Inbox
from scheduler_core.executor.slots import ThreadSlot
from tests.unit.domain.builders import new_task


class CountedSlot(ThreadSlot):
    """A slot never started, whose count of begun tasks the test sets."""

    def __init__(self) -> None:
        super().__init__(Inbox())
        self.counted = 0

    @property
    def begun(self) -> int:
        return self.counted

    def _send(self, tasks: Sequence[Task]) -> None:
        pass


def handed(slot: CountedSlot, name: str) -> Handover:
    task = new_task(name=name)
    number = slot.run([task], 0.0, float("inf"))
    return Handover(slot, number, task)


def test_a_start_waits_until_the_slot_counts_its_code_as_begun() -> None:
    slot = CountedSlot()
    first = handed(slot, "a")

    assert sort_handovers([first]) == ([], [first])
    slot.counted = 1
    assert sort_handovers([first]) == ([first.task], [])


def test_the_count_is_per_hand_over_so_an_earlier_begin_does_not_count_for_a_later_task() -> None:
    slot = CountedSlot()
    handed(slot, "a")
    slot.counted = 1
    slot.done()
    second = handed(slot, "b")

    assert sort_handovers([second]) == ([], [second])


def test_a_hand_over_whose_slot_let_it_go_unbegun_has_nothing_to_stamp() -> None:
    stopped, freed = CountedSlot(), CountedSlot()
    killed = handed(stopped, "a")
    stopped.stop()
    released = handed(freed, "b")
    freed.done()

    assert sort_handovers([killed, released]) == ([], [])


def test_a_finished_task_whose_begin_was_counted_is_still_stamped() -> None:
    slot = CountedSlot()
    first = handed(slot, "a")
    slot.counted = 1
    slot.done()

    assert sort_handovers([first]) == ([first.task], [])


def test_the_main_loop_looks_again_soon_only_while_a_hand_over_is_fresh() -> None:
    tick = 0.1
    slot = CountedSlot()
    fresh = handed(slot, "a")

    assert next_look([], tick) == tick
    assert next_look([fresh], tick) == BEGIN_POLL
    # A slot that has not counted its task by now is starved or frozen: no spinning on it.
    slot.started_at -= BEGIN_PATIENCE
    assert next_look([fresh], tick) == tick
