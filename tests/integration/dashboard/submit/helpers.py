"""What the submit tests share: a valid form body and questions about the stored tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler_core.bootstrap import Services

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

NEW = "/tasks/new/"
SIGNATURE = "/tasks/new/signature/"
# A future moment no test run will reach.
FUTURE = "2999-07-01T12:00"

# Everything a browser sends for "run demo.tasks.add(1, 2) at once with the defaults".
VALID: dict[str, str] = {
    "task": "demo.tasks.add",
    "args": "[1, 2]",
    "kwargs": "{}",
    "queue": "",
    "priority": "",
    "delay": "",
    "run_at": "",
    "time_zone": "UTC",
    "max_attempts": "",
    "unique_key": "",
}


def task_count(services: Services) -> int:
    """How many tasks are stored, in any status."""
    return sum(services.tasks.counts().values())


def field_errors(response: Response, field: str) -> list[str]:
    """The errors the form shows on `field`, after checking they are marked up on the page."""
    errors: list[str] = response.context["form"].errors.get(field, [])
    if errors:
        assert f'<div class="field has-error" id="field-{field}">' in response.text
        assert 'class="errorlist"' in response.text
    return errors
