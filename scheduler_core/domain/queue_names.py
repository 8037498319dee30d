"""What a queue name may be: the one rule every door (form, API, backend, admin, CLI) applies."""

from __future__ import annotations

from .defaults import MAX_QUEUE_LENGTH, QUEUE_NAME_PATTERN
from .errors import TaskInvalid


def is_queue_name(name: object) -> bool:
    """True for a string a queue may be called: up to MAX_QUEUE_LENGTH safe characters."""
    return (
        isinstance(name, str)
        and len(name) <= MAX_QUEUE_LENGTH
        and QUEUE_NAME_PATTERN.fullmatch(name) is not None
    )


def check_queue_name(name: object, field: str = "queue") -> None:
    """Raise TaskInvalid on `field` unless `name` is a valid queue name."""
    if not is_queue_name(name):
        raise TaskInvalid(
            field, f"{name!r} must be up to {MAX_QUEUE_LENGTH} letters, digits, '_', '.' or '-'"
        )
