"""What crosses into a slot and back: every field a slot or the supervisor reads survives."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from scheduler_core.domain import TaskStatus
from scheduler_core.domain.progress import Progress
from scheduler_core.executor.codec import (
    TASK_FIELDS,
    Outcome,
    decode_task,
    decode_tasks,
    encode_task,
    encode_tasks,
)
from tests.unit.domain.builders import LATER, NOW, claimed, new_task, task_in

# What a slot reads of a running task: every field sent, and the status it is in.
SENT = (*TASK_FIELDS, "status")


def test_a_second_attempt_of_a_workflow_step_arrives_whole() -> None:
    task = task_in(TaskStatus.RETRYING)
    task = replace(task, workflow_id=uuid4(), step_key="resize", timeout=30.0)
    task.kwargs = {"size": [1, 2], "name": "ünïcode"}
    claimed(task, worker="worker-2", now=LATER)

    received = decode_task(encode_task(task))

    assert task.attempt == 2 and task.errors and task.first_started_at != task.started_at
    for name in SENT:
        assert getattr(received, name) == getattr(task, name), name


def test_a_first_attempt_started_once() -> None:
    task = claimed(new_task(run_after=NOW + timedelta(seconds=5)), now=LATER)

    (received,) = decode_tasks(encode_tasks([task]))

    assert received.requested_run_after == task.requested_run_after is not None
    assert received.first_started_at == received.started_at == task.started_at


def test_a_batch_keeps_its_order() -> None:
    tasks = [claimed(new_task(name=f"tasks.t{index}")) for index in range(3)]

    assert [task.name for task in decode_tasks(encode_tasks(tasks))] == [
        "tasks.t0",
        "tasks.t1",
        "tasks.t2",
    ]


@pytest.mark.parametrize(
    "data",
    [
        b'{"id": "x"}',
        b'[{"id": "x"}]',
        b'[["8a4f3a4d-557f-4b99-92d1-5eac8bbeedd0", "tasks.t"]]',
    ],
)
def test_what_is_not_a_list_of_whole_tasks_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="list of tasks|fields"):
        decode_tasks(data)


TASK_ID = UUID("8a4f3a4d-557f-4b99-92d1-5eac8bbeedd0")


@pytest.mark.parametrize(
    "outcome",
    [
        Outcome(task_id=TASK_ID, attempt=1, succeeded=True, result={"rows": [1, 2]}),
        Outcome(
            task_id=TASK_ID,
            attempt=3,
            succeeded=False,
            exception_type="builtins.ValueError",
            message="boom",
            traceback="Traceback ...",
            retryable=True,
            retry_in=2.5,
            progress=Progress(done=3.0, total=10.0, message="rows", at=NOW),
        ),
        Outcome(task_id=TASK_ID, attempt=1, succeeded=False, snooze=60.0),
        Outcome(task_id=TASK_ID, attempt=2, succeeded=False, retryable=False, discarded=True),
    ],
)
def test_an_outcome_arrives_whole(outcome: Outcome) -> None:
    assert Outcome.decode(outcome.encode()) == outcome
    assert Outcome.decode(outcome.encode(ran=0.125)) == replace(outcome, ran=0.125)


def test_an_outcome_that_is_not_whole_is_refused() -> None:
    whole = json.loads(Outcome(task_id=uuid4(), attempt=1, succeeded=True).encode())

    with pytest.raises(ValueError, match="fields"):
        Outcome.decode(json.dumps(whole[:-1]).encode())
    with pytest.raises(ValueError, match="fields"):
        Outcome.decode(b'{"task_id": "x", "attempt": 1, "succeeded": true}')
