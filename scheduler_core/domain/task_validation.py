"""The rules a task's fields must follow; each failure names its field."""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING

from .defaults import (
    MAX_ATTEMPTS_LIMIT,
    MAX_NAME_LENGTH,
    MAX_UNIQUE_KEY_LENGTH,
    TASK_NAME_PATTERN,
)
from .errors import TaskInvalid
from .json_values import MAX_PAYLOAD_BYTES, check_json_value, payload_size
from .priority import MAX_PRIORITY, MIN_PRIORITY
from .queue_names import check_queue_name
from .result_expiry import check_result_ttl
from .tags import merge_tags

if TYPE_CHECKING:
    from .task import Task


def validate_task(task: Task) -> None:
    """Raise TaskInvalid for the first field of `task` that breaks a rule."""
    _check_name(task.name)
    _check_queue(task.queue)
    _check_priority(task.priority)
    _check_max_attempts(task.max_attempts)
    _check_aware("run_after", task.run_after)
    _check_aware("enqueued_at", task.enqueued_at)
    _check_timeout(task.timeout)
    _check_unique_key(task.unique_key)
    _check_arguments(task)
    check_json_value(task.result, "result")
    _check_tags(task.tags)
    check_result_ttl(task.result_ttl)


# Names and queues found valid before: a process submits the same few again and again, and
# the pattern match is the dearest check of a task. Exact str only (a subclass is checked
# every time), and bounded, so a flood of distinct names cannot grow them without end.
_VALID_NAMES: set[str] = set()
_VALID_QUEUES: set[str] = set()
_MAX_REMEMBERED = 4096


def _remember(valid: set[str], value: object) -> None:
    if type(value) is str and len(valid) < _MAX_REMEMBERED:
        valid.add(value)


def _check_name(name: object) -> None:
    if type(name) is str and name in _VALID_NAMES:
        return
    _check_new_name(name)
    _remember(_VALID_NAMES, name)


def _check_new_name(name: object) -> None:
    if not isinstance(name, str) or not name:
        raise TaskInvalid("name", "must be a non-empty string")
    if len(name) > MAX_NAME_LENGTH:
        raise TaskInvalid("name", f"must be at most {MAX_NAME_LENGTH} characters")
    if not TASK_NAME_PATTERN.fullmatch(name):
        raise TaskInvalid("name", f"{name!r} is not a dotted Python name")


def _check_queue(queue: object) -> None:
    if type(queue) is str and queue in _VALID_QUEUES:
        return
    _check_new_queue(queue)
    _remember(_VALID_QUEUES, queue)


def _check_new_queue(queue: object) -> None:
    if not isinstance(queue, str) or not queue:
        raise TaskInvalid("queue", "must be a non-empty string")
    check_queue_name(queue)


def _check_priority(priority: object) -> None:
    # bool is an int to Python, but True is no priority; named levels (Priority.HIGH) are.
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise TaskInvalid("priority", f"must be an integer, not {type(priority).__name__}")
    if not MIN_PRIORITY <= priority <= MAX_PRIORITY:
        raise TaskInvalid("priority", f"{priority} is outside {MIN_PRIORITY}..{MAX_PRIORITY}")


def _check_max_attempts(max_attempts: object) -> None:
    if type(max_attempts) is not int:
        raise TaskInvalid("max_attempts", "must be an integer")
    if not 1 <= max_attempts <= MAX_ATTEMPTS_LIMIT:
        raise TaskInvalid("max_attempts", f"{max_attempts} is outside 1..{MAX_ATTEMPTS_LIMIT}")


def _check_aware(field: str, moment: object) -> None:
    if not isinstance(moment, datetime):
        raise TaskInvalid(field, "must be a datetime")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TaskInvalid(field, "must be timezone-aware (a naive datetime is ambiguous)")


def _check_timeout(timeout: object) -> None:
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise TaskInvalid("timeout", "must be a number of seconds")
    if not math.isfinite(timeout) or timeout <= 0:
        raise TaskInvalid("timeout", "must be a positive number of seconds")


def _check_unique_key(key: object) -> None:
    if key is None:
        return
    if not isinstance(key, str) or not key:
        raise TaskInvalid("unique_key", "must be a non-empty string or None")
    if len(key) > MAX_UNIQUE_KEY_LENGTH:
        raise TaskInvalid("unique_key", f"must be at most {MAX_UNIQUE_KEY_LENGTH} characters")
    check_json_value(key, "unique_key")


def _check_arguments(task: Task) -> None:
    if type(task.args) is not list:
        raise TaskInvalid("args", f"must be a list, not {type(task.args).__name__}")
    if type(task.kwargs) is not dict:
        raise TaskInvalid("kwargs", f"must be a dict, not {type(task.kwargs).__name__}")
    if not task.args and not task.kwargs:
        # No arguments: nothing to check, and far below the size limit.
        return
    check_json_value(task.args, "args")
    check_json_value(task.kwargs, "kwargs")
    size = payload_size(task.args, task.kwargs)
    if size > MAX_PAYLOAD_BYTES:
        raise TaskInvalid(
            "args", f"arguments take {size} bytes as JSON; the limit is {MAX_PAYLOAD_BYTES}"
        )


def _check_tags(tags: object) -> None:
    if not tags and type(tags) is list:
        return
    if type(tags) is not list:
        raise TaskInvalid("tags", f"must be a list, not {type(tags).__name__}")
    if merge_tags(tags) != tags:
        raise TaskInvalid("tags", "must not repeat a tag")
