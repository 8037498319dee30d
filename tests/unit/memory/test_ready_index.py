"""ReadyIndex: claim order, delayed tasks falling due, lazy deletion and compaction."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from scheduler_core.domain import Task
from scheduler_core.memory import ManualClock, ReadyIndex
from scheduler_core.memory.ready_index import COMPACT_SLACK

from .conftest import T0, make_task

SECOND = timedelta(seconds=1)


def put_all(index: ReadyIndex, *tasks: Task) -> None:
    for task in tasks:
        index.put(task, T0)


def test_due_tasks_pop_by_priority_then_run_after_then_id(clock: ManualClock) -> None:
    index = ReadyIndex()
    low = make_task(clock, priority=-1, delay=-3 * SECOND)
    high_late = make_task(clock, priority=9, delay=-SECOND)
    high_early = make_task(clock, priority=9, delay=-2 * SECOND)
    put_all(index, low, high_late, high_early)

    assert index.pop_due(["default"], 10, T0) == [high_early.id, high_late.id, low.id]
    assert len(index) == 0


def test_pop_merges_queues_by_priority_and_ignores_repeated_names(clock: ManualClock) -> None:
    index = ReadyIndex()
    a = make_task(clock, queue="a", priority=1)
    b = make_task(clock, queue="b", priority=5)
    c = make_task(clock, queue="c", priority=9)
    put_all(index, a, b, c)

    assert index.pop_due(["a", "b", "a", "unknown"], 10, T0) == [b.id, a.id]
    assert index.pop_due(["c"], 1, T0) == [c.id]


def test_a_delayed_task_pops_only_once_due(clock: ManualClock) -> None:
    index = ReadyIndex()
    later = make_task(clock, delay=10 * SECOND, priority=100)
    now = make_task(clock)
    put_all(index, later, now)

    assert index.pop_due(["default"], 10, T0) == [now.id]
    assert index.next_run_after(["default"]) == T0 + 10 * SECOND
    assert index.pop_due(["default"], 10, T0 + 9 * SECOND) == []
    assert index.pop_due(["default"], 10, T0 + 10 * SECOND) == [later.id]
    assert index.next_run_after(["default"]) is None


def test_a_discarded_task_never_pops_and_its_entry_is_dropped(clock: ManualClock) -> None:
    index = ReadyIndex()
    gone, kept = make_task(clock, priority=5), make_task(clock)
    put_all(index, gone, kept)

    index.discard(gone.id)

    assert gone.id not in index
    assert index.heap_size == 2  # the stale entry lingers until it surfaces...
    assert index.pop_due(["default"], 10, T0) == [kept.id]
    assert index.heap_size == 0  # ...and then is dropped


def test_discarding_an_unknown_task_is_harmless() -> None:
    index = ReadyIndex()

    index.discard(uuid4())

    assert len(index) == 0


def test_rescheduling_leaves_only_the_new_entry_live(clock: ManualClock) -> None:
    index = ReadyIndex()
    task = make_task(clock)
    index.put(task, T0)

    task.run_after = T0 + 5 * SECOND
    assert index.put(task, T0) is True

    assert index.pop_due(["default"], 10, T0) == []
    assert index.pop_due(["default"], 10, T0 + 5 * SECOND) == [task.id]


def test_putting_an_unchanged_task_again_adds_no_entry(clock: ManualClock) -> None:
    index = ReadyIndex()
    task = make_task(clock)
    index.put(task, T0)

    assert index.put(task, T0) is False
    assert index.heap_size == 1


def test_next_run_after_skips_stale_entries(clock: ManualClock) -> None:
    index = ReadyIndex()
    stale = make_task(clock, delay=SECOND)
    live = make_task(clock, queue="other", delay=7 * SECOND)
    put_all(index, stale, live)
    index.discard(stale.id)

    assert index.next_run_after(["default", "other"]) == T0 + 7 * SECOND
    assert index.heap_size == 1


def test_a_stale_delayed_entry_is_dropped_when_it_falls_due(clock: ManualClock) -> None:
    index = ReadyIndex()
    task = make_task(clock, delay=SECOND)
    index.put(task, T0)
    index.discard(task.id)

    assert index.pop_due(["default"], 1, T0 + SECOND) == []
    assert index.heap_size == 0


def test_a_ready_entry_goes_back_to_waiting_when_the_clock_moved_back(clock: ManualClock) -> None:
    index = ReadyIndex()
    task = make_task(clock, delay=SECOND)
    index.put(task, T0 + 2 * SECOND)  # put while the clock stood later

    assert index.pop_due(["default"], 1, T0) == []
    assert index.next_run_after(["default"]) == T0 + SECOND
    assert index.pop_due(["default"], 1, T0 + SECOND) == [task.id]


def test_count_due_counts_live_due_tasks_per_queue(clock: ManualClock) -> None:
    index = ReadyIndex()
    put_all(
        index,
        make_task(clock),
        make_task(clock, queue="emails"),
        make_task(clock, delay=SECOND),
    )

    assert index.count_due("default", T0) == 1
    assert index.count_due(None, T0) == 2
    assert index.count_due(None, T0 + SECOND) == 3


def test_stale_entries_are_compacted_once_they_pile_up(clock: ManualClock) -> None:
    index = ReadyIndex()
    # Far-future tasks that get cancelled would otherwise sit in the heap until their time.
    doomed = [
        make_task(clock, queue="doomed", delay=timedelta(days=365))
        for _ in range(COMPACT_SLACK + 10)
    ]
    survivor = make_task(clock, delay=timedelta(days=365))
    drained = make_task(clock, queue="drained")
    put_all(index, survivor, drained, *doomed)
    assert index.pop_due(["drained"], 1, T0) == [drained.id]

    for task in doomed:
        index.discard(task.id)

    assert index.heap_size < COMPACT_SLACK
    assert len(index) == 1
    assert index.next_run_after(["default"]) == survivor.run_after
    later = T0 + timedelta(days=365)
    assert index.pop_due(["default"], 10, later) == [survivor.id]


def test_compaction_keeps_the_claim_order(clock: ManualClock) -> None:
    index = ReadyIndex()
    keep = [make_task(clock, priority=p) for p in (3, 1, 2)]
    doomed = [make_task(clock) for _ in range(COMPACT_SLACK + 10)]
    put_all(index, *keep, *doomed)

    for task in doomed:
        index.discard(task.id)

    ordered: list[UUID] = [keep[0].id, keep[2].id, keep[1].id]
    assert index.heap_size < COMPACT_SLACK
    assert index.pop_due(["default"], 10, T0) == ordered
