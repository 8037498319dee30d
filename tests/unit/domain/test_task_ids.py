"""Task ids sort in the order their tasks were made (the list's tie-break)."""

from __future__ import annotations

import time
from unittest import mock

from scheduler_core.domain import new_task_id


def test_ids_made_one_after_another_sort_in_that_order() -> None:
    ids = [new_task_id() for _ in range(5000)]

    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_ids_made_in_the_same_millisecond_still_count_up() -> None:
    frozen = time.time_ns()
    with mock.patch("time.time_ns", return_value=frozen):
        ids = [new_task_id() for _ in range(1000)]

    assert ids == sorted(ids)
    # One millisecond for all: this one, or a later one an earlier id (made under a clock
    # another test moved ahead) already used, since ids never go back.
    [millisecond] = {task_id.int >> 80 for task_id in ids}
    assert millisecond >= frozen // 1_000_000


def test_a_clock_stepping_back_does_not_reorder_ids() -> None:
    first = new_task_id()
    with mock.patch("time.time_ns", return_value=0):
        later = new_task_id()

    assert later > first


def test_ids_are_version_7_of_the_rfc_variant() -> None:
    task_id = new_task_id()

    assert task_id.version == 7
    assert task_id.variant == "specified in RFC 4122"


def test_ids_sort_the_same_as_text_and_as_bytes() -> None:
    # SQLite stores the id as 32 hex digits, PostgreSQL as 16 bytes: both must agree.
    ids = [new_task_id() for _ in range(100)]

    assert sorted(ids, key=lambda i: i.hex) == ids == sorted(ids, key=lambda i: i.bytes)
