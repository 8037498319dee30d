"""TaskService.delete, queue pausing, and the audit record's rules, on memory storage."""

from __future__ import annotations

import pytest

from scheduler_core.bootstrap import Services, build_services
from scheduler_core.domain import InvalidTransition, TaskInvalid, TaskNotFound
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.services.audit import AuditRecord


@pytest.fixture
def services() -> Services:
    """Services on fresh in-memory storage that knows one task, app.noop."""
    return build_services("memory", task_names=["app.noop"])


def test_delete_removes_a_finished_task_only(services: Services) -> None:
    scheduler = services.tasks
    task = scheduler.submit(SubmitRequest(name="app.noop")).task

    with pytest.raises(InvalidTransition):
        scheduler.delete(task.id)
    scheduler.cancel(task.id)
    deleted = scheduler.delete(task.id)

    assert deleted.id == task.id
    with pytest.raises(TaskNotFound):
        scheduler.status(task.id)


def test_pausing_validates_the_queue_name(services: Services) -> None:
    with pytest.raises(TaskInvalid) as caught:
        services.tasks.pause_queue("no spaces")

    assert caught.value.field == "queue"
    with pytest.raises(TaskInvalid):
        services.tasks.resume_queue("")


def test_paused_queues_are_listed_until_resumed(services: Services) -> None:
    assert services.tasks.pause_queue("mail") is True
    assert services.tasks.paused_queues() == frozenset({"mail"})
    assert services.tasks.resume_queue("mail") is True
    assert services.tasks.paused_queues() == frozenset()


def test_an_audit_record_names_a_known_source() -> None:
    with pytest.raises(ValueError, match="source"):
        AuditRecord(actor="ops", action="cancel", source="email")
