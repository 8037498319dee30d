"""A task whose docstring and parameter default carry markup; importing it registers it."""

from __future__ import annotations

from scheduler_core.task_backend.definition import task


@task(queue_name="xss-queue")
def hostile(payload: str = "<script>alert(1)</script>") -> None:
    """Echo "><img src=x onerror=alert(1)> and <script>alert(2)</script> back."""
