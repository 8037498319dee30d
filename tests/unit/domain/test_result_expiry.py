"""Result expiry: a finished task's result is dropped once its result_ttl ran out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler_core.domain import InvalidTransition, TaskInvalid, TaskStatus
from scheduler_core.domain.result_expiry import MAX_RESULT_TTL
from tests.unit.domain.builders import NOW, new_task, task_in


def test_a_result_is_dropped_once_its_ttl_ran_out() -> None:
    task = task_in(TaskStatus.SUCCEEDED)
    task.result, task.result_ttl = {"rows": 3}, 60
    assert task.finished_at is not None

    with pytest.raises(InvalidTransition, match="not run out"):
        task.expire_result(now=task.finished_at + timedelta(seconds=59))
    moves = list(task.pending_transitions)
    task.expire_result(now=task.finished_at + timedelta(seconds=60))

    assert (task.result, task.result_expired, task.status) == (None, True, TaskStatus.SUCCEEDED)
    assert task.pending_transitions == moves
    with pytest.raises(InvalidTransition, match="keeps its result"):
        task.expire_result(now=task.finished_at + timedelta(days=1))


def test_a_retry_keeps_the_next_result_again() -> None:
    task = task_in(TaskStatus.FAILED)
    task.result_ttl = 1
    assert task.finished_at is not None
    task.expire_result(now=task.finished_at + timedelta(seconds=1))

    task.retry_now(now=NOW + timedelta(hours=1))

    assert not task.result_expired


@pytest.mark.parametrize("ttl", [0, -1, 1.5, True, "60", MAX_RESULT_TTL + 1])
def test_a_bad_result_ttl_names_its_field(ttl: object) -> None:
    with pytest.raises(TaskInvalid) as caught:
        new_task(result_ttl=ttl)
    assert caught.value.field == "result_ttl"


@pytest.mark.parametrize(
    "tags",
    [["ok", "ok"], ["has space"], ["-leading"], ["x" * 65], [""], [7], "billing", ["t"] * 21],
)
def test_bad_tags_name_their_field(tags: object) -> None:
    with pytest.raises(TaskInvalid) as caught:
        new_task(tags=tags)
    assert caught.value.field == "tags"


def test_good_tags_are_kept_in_order() -> None:
    tags = ["billing", "customer:42", "import/2026-05", "a.b_c=d@e"]
    assert new_task(tags=tags).tags == tags
