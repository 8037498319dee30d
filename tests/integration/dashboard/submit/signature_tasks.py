"""Tasks with keyword-only and open-ended parameters; importing this module registers them."""

from __future__ import annotations

from scheduler_core.task_backend.definition import task


@task
def keyword_only(a: int, *, flag: bool, mode: str = "fast") -> None:
    """Take `a` by position or name, `flag` and `mode` by name only."""


@task
def open_ended(first: int, *rest: int, **options: int) -> None:
    """Take any number of positional and keyword arguments after `first`."""
