"""Tasks the backend tests enqueue; importing this module registers them."""

from __future__ import annotations

from typing import Any

from django.tasks import TaskContext

from scheduler_core.task_backend.definition import task


@task
def multiply(a: int, b: int) -> int:
    """Return a * b."""
    return a * b


@task(max_attempts=2, timeout=5)
def explode(message: str) -> None:
    """Raise ValueError(message)."""
    raise ValueError(message)


@task(unique_key="nightly-report")
def nightly_report() -> None:
    """A job that must not be queued twice at once."""


@task(unique_key=lambda user_id: f"welcome:{user_id}")
def send_welcome(user_id: int) -> None:
    """Send one welcome mail per user, however often it is enqueued."""


@task(takes_context=True)
def which_attempt(context: TaskContext[Any, Any], label: str) -> dict[str, Any]:
    """Return the attempt number the context reports."""
    return {"label": label, "attempt": context.attempt}


@task
async def shout(text: str) -> str:
    """An async task."""
    return text.upper()


def undecorated(x: int) -> int:
    """A module-level function that is not a task (yet)."""
    return x


@task(tags=["reports", "nightly"], result_ttl=3600)
def tagged_report(customer_id: int) -> dict[str, int]:
    """A task whose every call carries tags and keeps its result for an hour."""
    return {"customer_id": customer_id}
