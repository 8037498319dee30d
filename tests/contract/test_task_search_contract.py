"""TaskRepository search contract: text in the JSON of args or kwargs, ignoring case.

The database adapters answer a list page from the newest rows while the term is common
among them and from a trigram index when it is not (storage/task_listing.py). Pages of one
row read a window of only 80 rows, so a match behind 100 newer tasks is found through the
index, and `count` always goes through it. Each case is asked both ways.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from scheduler_core.domain import Cursor, PageRequest, Task, TaskFilter

from .factories import TaskFactory
from .kits import StorageKit

BURIED_UNDER = 100


def every_page(kit: StorageKit, task_filter: TaskFilter, limit: int) -> list[UUID]:
    """Ids of every matching task, read a page of `limit` at a time."""
    seen: list[UUID] = []
    cursor: Cursor | None = None
    while True:
        page = kit.tasks.list(task_filter, PageRequest(limit=limit, after=cursor))
        seen += [task.id for task in page.items]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def found(kit: StorageKit, term: str) -> list[UUID]:
    """Ids the search finds, newest first, one task per page, checked against its count."""
    ids = every_page(kit, TaskFilter(search=term), limit=1)
    assert kit.tasks.count(TaskFilter(search=term)) == len(ids)
    return ids


def bury(kit: StorageKit, make_task: TaskFactory, count: int = BURIED_UNDER) -> None:
    """Store `count` tasks without arguments, newer than any stored so far."""
    kit.tasks.add_many([make_task.build() for _ in range(count)])


def ago(kit: StorageKit, minutes: int) -> datetime:
    return kit.now() - timedelta(minutes=minutes)


def test_a_rare_term_is_found_behind_many_newer_tasks(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    rare = make_task.add(args=[{"order": "order-500"}], enqueued_at=ago(kit, 60))
    make_task.add(args=[{"order": "order-501"}], enqueued_at=ago(kit, 60))
    bury(kit, make_task)

    assert found(kit, "ORDER-500") == [rare.id]
    assert len(found(kit, "order-5")) == 2
    assert found(kit, "order-502") == []


def test_a_term_only_in_kwargs_is_found(kit: StorageKit, make_task: TaskFactory) -> None:
    by_kwarg = make_task.add(
        args=["plain"], kwargs={"customer": "Zebra Ltd"}, enqueued_at=ago(kit, 60)
    )
    bury(kit, make_task)

    assert found(kit, "zebra l") == [by_kwarg.id]
    assert found(kit, '"customer"') == [by_kwarg.id]


def test_a_term_does_not_run_from_the_args_into_the_kwargs(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    make_task.add(args=["abc"], kwargs={"k": "def"})

    # Each of the two texts alone, never the two side by side.
    assert found(kit, 'abc"]{"k') == []
    assert found(kit, 'abc"] {"k') == []
    assert len(found(kit, 'abc"]')) == 1


def test_a_common_term_pages_through_every_match_newest_first(
    kit: StorageKit, make_task: TaskFactory
) -> None:
    # Dense among the newest tasks, sparse among the older ones: the first pages come from
    # the newest rows, the later ones from the index.
    tasks: list[Task] = []
    for n in range(150):
        dense = n < 40 and n % 2 == 0
        sparse = n >= 40 and n % 25 == 0
        args: list[Any] = [f"invoice-{n}"] if dense or sparse else [f"receipt-{n}"]
        tasks.append(make_task.build(args=args, enqueued_at=ago(kit, n)))
    kit.tasks.add_many(tasks)
    wanted = [t.id for t in tasks if "invoice" in t.args[0]]

    for limit in (1, 2, 50):
        assert every_page(kit, TaskFilter(search="Invoice"), limit) == wanted
    assert kit.tasks.count(TaskFilter(search="invoice")) == len(wanted)


def test_a_search_combines_with_the_other_filters(kit: StorageKit, make_task: TaskFactory) -> None:
    wanted = make_task.add(queue="emails", args=["needle"], enqueued_at=ago(kit, 60))
    make_task.add(queue="default", args=["needle"], enqueued_at=ago(kit, 60))
    bury(kit, make_task)

    narrowed = TaskFilter(queue="emails", search="needle")
    assert [t.id for t in kit.tasks.list(narrowed, PageRequest(limit=1)).items] == [wanted.id]
    assert kit.tasks.count(narrowed) == 1


@pytest.mark.parametrize(
    ("stored", "decoy", "term"),
    [
        # As LIKE wildcards, % and _ would match the decoy too.
        ("50% off", "500 off", "0% o"),
        ("a_b", "axb", "a_b"),
        ("100%", "1000", "%"),
        # JSON doubles a backslash: C:\temp is stored as "C:\\temp".
        ("C:\\temp", "C:/temp", ":\\\\t"),
        ("C:\\temp", "C:/temp", "\\"),
        # A double quote in the text is \" in JSON, and ends an FTS5 phrase unless doubled.
        ('say "hi"', "say hi", 'y \\"hi'),
        ('say "hi"', "say hi", '"hi\\""'),
    ],
    ids=["percent", "underscore", "lone-percent", "backslash", "lone-backslash", "quote", "quotes"],
)
def test_like_and_fts_metacharacters_in_the_term_match_only_themselves(
    kit: StorageKit, make_task: TaskFactory, stored: str, decoy: str, term: str
) -> None:
    wanted = make_task.add(args=[stored], enqueued_at=ago(kit, 60))
    make_task.add(args=[decoy], enqueued_at=ago(kit, 60))
    bury(kit, make_task)

    assert found(kit, term) == [wanted.id]


@pytest.mark.parametrize("term", ["Q", "q7", "7"])
def test_terms_too_short_for_a_trigram_index_still_work(
    kit: StorageKit, make_task: TaskFactory, term: str
) -> None:
    wanted = make_task.add(args=["q7"], enqueued_at=ago(kit, 60))
    make_task.add(args=["zz"], enqueued_at=ago(kit, 60))
    bury(kit, make_task)

    assert found(kit, term) == [wanted.id]
