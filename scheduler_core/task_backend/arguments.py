"""Arguments of `.enqueue()` as django.tasks wants them: normalised to JSON, or refused.

django.tasks normalises arguments on every backend (tuples become lists, bytes text) and
raises TypeError("Unsupported type: ...") for a value JSON cannot hold. The error here is
that TypeError and also django.tasks' InvalidTask, naming the argument at fault, so that
code written for either (Django's own tests, or callers of this backend) catches it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.tasks.exceptions import InvalidTask
from django.utils.json import normalize_json


class UnsupportedArgument(InvalidTask, TypeError):
    """An argument of a type JSON cannot hold (a datetime, a set, an object)."""


def plain_arguments(
    args: Sequence[Any], kwargs: Mapping[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """The arguments after django.tasks' JSON normalisation; UnsupportedArgument if none."""
    try:
        plain_args: list[Any] = normalize_json(list(args))  # type: ignore[assignment]
        plain_kwargs: dict[str, Any] = normalize_json(dict(kwargs))  # type: ignore[assignment]
    except TypeError as error:
        path = _first_unsupported(list(args), "args") or _first_unsupported(dict(kwargs), "kwargs")
        raise UnsupportedArgument(f"{path or 'args'}: {error}") from error
    except ValueError as error:
        raise InvalidTask(f"args: {error}") from error
    return plain_args, plain_kwargs


def _first_unsupported(value: Any, path: str) -> str | None:
    """Where in `value` the first thing normalize_json cannot take sits, as a path."""
    match value:
        case Mapping():
            for key, item in value.items():
                found = _first_unsupported(item, f"{path}.{key}")
                if found:
                    return found
            return None
        case str() | bytes() | int() | float() | bool() | None:
            return None
        case Sequence():
            for index, item in enumerate(value):
                found = _first_unsupported(item, f"{path}[{index}]")
                if found:
                    return found
            return None
        case _:
            return path
