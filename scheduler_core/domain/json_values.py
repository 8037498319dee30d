"""Checks that a value is plain JSON that every storage engine can keep unchanged."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from .errors import TaskInvalid

# A payload larger than this belongs in object storage, referenced by the task.
MAX_PAYLOAD_BYTES = 1024 * 1024
# Deeper nesting is almost always a bug, and would exhaust the stack while encoding.
MAX_NESTING = 64
# One encoder for every measurement: json.dumps with options builds a new one per call.
# ensure_ascii=False: an escaped "\u00e9" would count 6 bytes for a 2-byte character.
# The measure uses surrogatepass, so an unchecked lone surrogate is counted, not a crash.
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def check_json_value(value: Any, field: str) -> None:
    """Raise TaskInvalid naming `field` (and the path inside it) unless value is plain JSON."""
    _check(value, field, depth=0)


def payload_size(*values: Any) -> int:
    """The number of UTF-8 bytes the values take once encoded as compact JSON."""
    size = 0
    for value in values:
        # Empty arguments are the common case, and encoding them costs more than this test.
        if not value and type(value) in (list, dict):
            size += 2
            continue
        text = _COMPACT.encode(value)
        # An ASCII text takes a byte a character; only others need the encoding.
        size += len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
    return size


def _check(value: Any, path: str, depth: int) -> None:
    if depth > MAX_NESTING:
        raise TaskInvalid(path, f"nested deeper than {MAX_NESTING} levels")
    # bool is a subclass of int, and both are fine; exact types keep out int/str subclasses
    # whose JSON form would not round-trip (enums, for example).
    if value is None or type(value) is bool:
        return
    if type(value) is int:
        _check_int(value, path)
        return
    if type(value) is float:
        if not math.isfinite(value):
            raise TaskInvalid(path, f"{value!r} is not a JSON number")
        return
    if type(value) is str:
        _check_text(value, path)
        return
    if type(value) is list:
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]", depth + 1)
        return
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise TaskInvalid(path, f"object key {key!r} is not a string")
            _check_text(key, path)
            _check(item, f"{path}.{key}", depth + 1)
        return
    raise TaskInvalid(
        path, f"{type(value).__name__} is not JSON (use str, int, float, bool, None, list or dict)"
    )


def _check_int(value: int, path: str) -> None:
    # Python refuses to write an int of more than sys.get_int_max_str_digits() digits as
    # text, so JSON could never hold it: a task returning one crashed its slot's encoder.
    limit = sys.get_int_max_str_digits()
    # Fewer than 3 bits a digit allowed: surely within the limit, without building the text.
    if not limit or value.bit_length() < 3 * limit:
        return
    try:
        str(value)
    except ValueError as error:
        raise TaskInvalid(path, f"an integer of more than {limit} digits is not JSON") from error


def _check_text(text: str, path: str) -> None:
    # PostgreSQL's jsonb refuses U+0000, and a lone surrogate cannot be encoded as UTF-8.
    if "\x00" in text:
        raise TaskInvalid(path, "text contains a NUL character (U+0000)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise TaskInvalid(
            path, "text contains a lone surrogate, which is not valid Unicode"
        ) from error
