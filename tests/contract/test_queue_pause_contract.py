"""Contract: a paused queue is never claimed from, other queues are, and resume restores it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler_core.domain import QueueEmpty, TaskStatus

from .factories import TaskFactory
from .kits import StorageKit

LEASE = timedelta(minutes=1)


def test_a_paused_queue_is_skipped_until_resumed(kit: StorageKit, make_task: TaskFactory) -> None:
    mail = make_task.add(queue="mail")
    report = make_task.add(queue="reports")

    assert kit.queue.pause("mail") is True
    claimed = kit.queue.claim("w1", ["mail", "reports"], 10, LEASE)
    again = kit.queue.claim("w1", ["mail"], 10, LEASE)

    assert [task.id for task in claimed] == [report.id]
    assert again == []
    assert kit.tasks.get(mail.id).status is TaskStatus.READY

    assert kit.queue.resume("mail") is True
    [resumed] = kit.queue.claim("w1", ["mail"], 10, LEASE)
    assert resumed.id == mail.id


def test_pause_and_resume_say_whether_they_changed_anything(kit: StorageKit) -> None:
    assert kit.queue.paused() == frozenset()
    assert kit.queue.pause("mail") is True
    assert kit.queue.pause("mail") is False
    assert kit.queue.paused() == frozenset({"mail"})
    assert kit.queue.resume("mail") is True
    assert kit.queue.resume("mail") is False
    assert kit.queue.paused() == frozenset()


def test_waiting_on_a_paused_queue_times_out(kit: StorageKit, make_task: TaskFactory) -> None:
    make_task.add(queue="mail")
    kit.queue.pause("mail")

    with pytest.raises(QueueEmpty):
        kit.queue.dequeue("w1", ["mail"], LEASE, timeout=0.1)
