"""JSON for the argument and result columns that reads back exactly on both engines.

PostgreSQL's jsonb keeps every number as `numeric`, which has no float type: a float
written as 1e+16 comes back as the integer 10000000000000000, while SQLite keeps the text.
numeric keeps the scale it was written with, so such a float written with a decimal point
("10000000000000000.0") reads back as the same float on both engines. Only floats of 1e16
and beyond are written with an exponent by Python; smaller ones already have their point.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# A digit, then an exponent with a plus: the only float texts PostgreSQL turns into ints.
# Also met inside strings; that only costs the slower path below.
_POSITIVE_EXPONENT = re.compile(r"\de\+")
# A stored value never holds a NUL (the domain's JSON check refuses it), so NUL-fenced
# strings cannot be confused with a caller's text.
_FENCED = re.compile(r'"\\u0000(-?\d+\.0)\\u0000"')


class ExactJSONEncoder(json.JSONEncoder):
    """Writes big floats with a decimal point, so that jsonb keeps them floats."""

    def encode(self, o: Any) -> str:
        """The JSON text of `o`, every float in it spelt so that it reads back as a float."""
        text = super().encode(o)
        if not _POSITIVE_EXPONENT.search(text):
            return text
        return _FENCED.sub(r"\1", super().encode(_fenced(o)))


def dumps(value: Any) -> str:
    """json.dumps with the exact encoder, for the SQL that writes these columns by hand."""
    return ExactJSONEncoder().encode(value)


def _fenced(value: Any) -> Any:
    """`value` with each float of 1e16 and beyond as a NUL-fenced string of its digits."""
    if type(value) is float:
        if math.isfinite(value) and abs(value) >= 1e16:
            return f"\x00{int(value)}.0\x00"
        return value
    if type(value) is list:
        return [_fenced(item) for item in value]
    if type(value) is dict:
        return {key: _fenced(item) for key, item in value.items()}
    return value
