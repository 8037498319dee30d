"""A unique key makes a second enqueue return the task that already waits or runs."""

from __future__ import annotations

from uuid import UUID

from scheduler_core.bootstrap import Services

from .conftest import Claim
from .sample_tasks import nightly_report, send_welcome


def test_a_fixed_key_returns_the_live_task_instead_of_a_second_one(services: Services) -> None:
    first = nightly_report.enqueue()
    second = nightly_report.enqueue()

    assert second.id == first.id
    assert sum(services.tasks.counts().values()) == 1
    assert services.tasks.status(UUID(first.id)).unique_key == "nightly-report"


def test_a_key_function_gets_the_call_arguments(services: Services) -> None:
    first = send_welcome.enqueue(42)
    again = send_welcome.enqueue(user_id=42)
    other = send_welcome.enqueue(7)

    assert again.id == first.id
    assert other.id != first.id
    assert services.tasks.status(UUID(other.id)).unique_key == "welcome:7"


def test_the_key_is_free_again_once_the_task_finished(services: Services, claim: Claim) -> None:
    first = send_welcome.enqueue(42)
    services.workers.complete(claim("w1"), None)

    second = send_welcome.enqueue(42)

    assert second.id != first.id
    assert second.status == "READY"
