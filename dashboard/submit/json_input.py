"""Reading the form's JSON editors: parse, check the shape, then the domain's JSON rules."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError

from scheduler_core.domain import TaskInvalid
from scheduler_core.domain.json_values import MAX_PAYLOAD_BYTES, check_json_value

# The domain limits the compact JSON; a pretty-printed editor holds spaces and newlines
# beyond that, so the raw text gets twice the room before we refuse to parse it at all.
MAX_TEXT_BYTES = 2 * MAX_PAYLOAD_BYTES

_SHAPES: dict[type, str] = {list: "a JSON array, like [1, 2]", dict: 'a JSON object, like {"a": 1}'}
_JSON_TYPES: dict[type, str] = {
    list: "an array",
    dict: "an object",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true or false",
    type(None): "null",
}


def parse_json(text: str, field: str, shape: type[list[Any]] | type[dict[str, Any]]) -> Any:
    """The value `text` holds, of type `shape`; ValidationError saying what is wrong if not.

    Empty text stands for an empty array or object.
    """
    if not text.strip():
        return shape()
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TEXT_BYTES:
        raise ValidationError(
            f"{size} bytes of text; arguments are limited to {MAX_PAYLOAD_BYTES} bytes of JSON",
            code="too_big",
        )
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            f"Not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}).",
            code="invalid_json",
        ) from error
    except RecursionError as error:
        raise ValidationError("Not valid JSON: nested too deeply.", code="too_deep") from error
    if type(value) is not shape:
        found = _JSON_TYPES.get(type(value), type(value).__name__)
        raise ValidationError(f"Must be {_SHAPES[shape]}, not {found}.", code="wrong_shape")
    try:
        # The same rules (and messages) as the API: NaN, NUL characters, lone surrogates...
        check_json_value(value, field)
    except TaskInvalid as error:
        raise ValidationError(str(error), code="not_json") from error
    return value
