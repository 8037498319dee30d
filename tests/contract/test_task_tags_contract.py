"""Tags: a task list filtered by tag, on every adapter and through every way a row is written."""

from __future__ import annotations

from scheduler_core.domain import PageRequest, TaskFilter, TaskStatus

from .factories import TaskFactory
from .kits import StorageKit
from .test_task_pruning_contract import finished_task


def tagged(kit: StorageKit, tag: str, **fields: object) -> set[object]:
    """The ids of the listed tasks carrying `tag`."""
    page = kit.tasks.list(TaskFilter(tag=tag, **fields), PageRequest(limit=500))  # type: ignore[arg-type]
    return {task.id for task in page.items}


def test_the_list_finds_tasks_by_tag(kit: StorageKit, make_task: TaskFactory) -> None:
    single = make_task.add(tags=["customer:42", "billing"])
    delayed = make_task.add(due=False, tags=["customer:42"])
    batch = [make_task.build(tags=["customer:42"]) for _ in range(3)]
    kit.tasks.add_many(batch)
    other = make_task.add(tags=["customer:7"])
    make_task.add()

    expected = {single.id, delayed.id, *(task.id for task in batch)}
    assert tagged(kit, "customer:42") == expected
    assert tagged(kit, "billing") == {single.id}
    assert tagged(kit, "customer:7") == {other.id}
    assert tagged(kit, "customer:4") == set()
    assert tagged(kit, "customer:42", statuses=frozenset({TaskStatus.SCHEDULED})) == {delayed.id}
    assert kit.tasks.count(TaskFilter(tag="customer:42")) == 5


def test_a_deleted_or_pruned_task_is_no_longer_found(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    kept = make_task.add(tags=["t"])
    deleted = make_task.add(tags=["t"])
    old = finished_task(make_task, TaskStatus.SUCCEEDED, days_ago=10, tags=["t"])
    kit.tasks.delete(deleted.id)

    kit.tasks.prune(
        statuses=frozenset({TaskStatus.SUCCEEDED}),
        finished_before=kit.now(),
        limit=100,
    )

    assert tagged(kit, "t") == {kept.id}
    assert old.id not in tagged(kit, "t")
