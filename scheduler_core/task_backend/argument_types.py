"""Checking a call's JSON arguments against the task's annotated parameter types.

Only the types JSON can carry are checked: int, float, str, bool, list, dict (and their
parametrised forms, by the outer type), Optional[X] and unions of these. Anything else
(Any, a class, a TypedDict, no annotation) is left to the task. A float parameter takes an
int, as JSON does not tell 2 from 2.0; an int parameter never takes true or false.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

from scheduler_core.domain import TaskInvalid
from scheduler_core.domain.json_values import MAX_PAYLOAD_BYTES, check_json_value, payload_size

_CHECKED: dict[type, str] = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "a string",
    list: "a JSON array",
    dict: "a JSON object",
}
_JSON_NAMES: dict[type, str] = {
    bool: "true/false",
    int: "a number",
    float: "a number",
    str: "a string",
    list: "an array",
    dict: "an object",
    type(None): "null",
}


def check_argument_types(
    func: Callable[..., Any], signature: inspect.Signature, args: list[Any], kwargs: dict[str, Any]
) -> None:
    """Raise TaskInvalid naming the first argument whose JSON type its annotation refuses.

    The call must already bind to the signature (TaskCatalog.check_call binds it first).
    """
    if payload_size(args, kwargs) > MAX_PAYLOAD_BYTES:
        # The task's validation refuses it for its size, the more useful thing to hear.
        return
    # So are values JSON cannot carry or nests too deep: said first, with their place.
    check_json_value(args, "args")
    check_json_value(kwargs, "kwargs")
    bound = signature.bind(*args, **kwargs)
    try:
        hints = typing.get_type_hints(func)
    except Exception:
        # An annotation that does not resolve (a name only a type checker sees): unchecked.
        return
    positional = 0
    for name, value in bound.arguments.items():
        parameter = signature.parameters[name]
        expected = hints.get(name)
        if parameter.kind is parameter.VAR_POSITIONAL:
            for item in value:
                _check(item, expected, f"args[{positional}]", name)
                positional += 1
        elif parameter.kind is parameter.VAR_KEYWORD:
            for key, item in value.items():
                _check(item, expected, f"kwargs.{key}", name)
        else:
            by_position = parameter.kind is not parameter.KEYWORD_ONLY and positional < len(args)
            path = f"args[{positional}]" if by_position else f"kwargs.{name}"
            if by_position:
                positional += 1
            _check(value, expected, path, name)


def _check(value: Any, expected: Any, path: str, parameter: str) -> None:
    allowed = _allowed(expected)
    if allowed is None or _fits(value, allowed):
        return
    wanted = " or ".join(dict.fromkeys(_wanted(t) for t in allowed))
    found = _JSON_NAMES.get(type(value), type(value).__name__)
    raise TaskInvalid(path, f"must be {wanted} for parameter {parameter!r}, not {found}")


def _allowed(expected: Any) -> tuple[type, ...] | None:
    """The plain types an annotation admits; None when it is not one we check."""
    if expected is None or expected is Any:
        return None
    if expected is type(None):
        return (type(None),)
    origin = typing.get_origin(expected)
    if origin in (typing.Union, types.UnionType):
        parts = [_allowed(arg) for arg in typing.get_args(expected)]
        if any(part is None for part in parts):
            return None
        return tuple(t for part in parts if part for t in part)
    plain = origin if origin in (list, dict) else expected
    return (plain,) if plain in _CHECKED else None


def _fits(value: Any, allowed: tuple[type, ...]) -> bool:
    for kind in allowed:
        if kind is type(None) and value is None:
            return True
        if kind is bool and type(value) is bool:
            return True
        if kind is int and type(value) is int:
            return True
        if kind is float and type(value) in (int, float):
            return True
        if kind in (str, list, dict) and type(value) is kind:
            return True
    return False


def _wanted(kind: type) -> str:
    return "null" if kind is type(None) else _CHECKED[kind]
