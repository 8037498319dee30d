"""Reading JSON typed into a form (dashboard and admin): parse, check the shape, then the
domain's JSON rules, so that no text reaches a 500."""

from __future__ import annotations

import json
from typing import Any

from django import forms
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
    except ValueError as error:
        # Python's limit on the digits of an int read from text (sys.get_int_max_str_digits).
        raise ValidationError(f"Not valid JSON: {error}.", code="invalid_json") from error
    if type(value) is not shape:
        found = _JSON_TYPES.get(type(value), type(value).__name__)
        raise ValidationError(f"Must be {_SHAPES[shape]}, not {found}.", code="wrong_shape")
    try:
        # The same rules (and messages) as the API: NaN, NUL characters, lone surrogates...
        check_json_value(value, field)
    except TaskInvalid as error:
        raise ValidationError(str(error), code="not_json") from error
    return value


class JsonTextField(forms.CharField):
    """A JSON array or object edited as text, checked by parse_json; renders its value as JSON.

    ASCII-escaped when shown, so a stored lone surrogate cannot break the page's encoding.
    """

    def __init__(
        self, *, shape: type[list[Any]] | type[dict[str, Any]], path: str, **kwargs: Any
    ) -> None:
        self.shape = shape
        # How errors name the value ("args[0]: ..."), as the API and the domain do.
        self.path = path
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        """The text to show: what was typed, or the stored value as JSON."""
        if isinstance(value, str):
            return value
        return json.dumps(self.shape() if value is None else value)

    def to_python(self, value: Any) -> Any:
        """The parsed array or object; ValidationError saying what is wrong with the text."""
        if isinstance(value, (list, dict)):
            return value
        return parse_json(str(super().to_python(value)), self.path, self.shape)

    def has_changed(self, initial: Any, data: Any) -> bool:
        """Compared as JSON values, not as text."""
        try:
            return bool(self.to_python(data) != initial)
        except ValidationError:
            return True
