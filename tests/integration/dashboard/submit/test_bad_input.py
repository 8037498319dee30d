"""Every kind of bad input gets an error on its own field, keeps what was typed, stores nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain.json_values import MAX_PAYLOAD_BYTES

from .helpers import FUTURE, NEW, VALID, field_errors, task_count

OVERSIZED = '["' + "x" * (MAX_PAYLOAD_BYTES + 10) + '", 1]'

BAD_INPUT = [
    # (what, changed fields, field with the error, part of its message)
    ("unknown task", {"task": "os.system"}, "task", "os.system is not one of the available"),
    ("builtin", {"task": "builtins.eval"}, "task", "not one of the available choices"),
    ("args not JSON", {"args": "[1, 2"}, "args", "Not valid JSON"),
    ("kwargs not JSON", {"kwargs": "{a: 1}"}, "kwargs", "Not valid JSON"),
    ("args an object", {"args": '{"a": 1}'}, "args", "Must be a JSON array, like [1, 2], not an"),
    ("kwargs an array", {"kwargs": "[1]"}, "kwargs", "Must be a JSON object"),
    ("kwargs a string", {"kwargs": '"a"'}, "kwargs", "not a string"),
    (
        "misspelt keyword",
        {"args": "[1]", "kwargs": '{"x": 2}'},
        "kwargs",
        "unexpected keyword argument 'x'",
    ),
    ("missing argument", {"args": "[1]"}, "args", "missing a required argument: 'b'"),
    ("too many arguments", {"args": "[1, 2, 3]"}, "args", "too many positional arguments"),
    ("twice", {"args": "[1, 2]", "kwargs": '{"a": 3}'}, "kwargs", "multiple values for argument"),
    ("NaN", {"args": "[1, NaN]"}, "args", "args[1]: nan is not a JSON number"),
    ("infinity", {"args": "[1e309, 1]"}, "args", "args[0]: inf is not a JSON number"),
    ("NUL", {"args": '["a\\u0000b", 1]'}, "args", "NUL character"),
    ("NUL in kwargs", {"args": "[]", "kwargs": '{"a": "\\u0000", "b": 1}'}, "kwargs", "kwargs.a"),
    ("deep nesting", {"args": "[" * 100 + "]" * 100}, "args", "nested deeper than 64"),
    ("oversized args", {"args": OVERSIZED}, "args", f"the limit is {MAX_PAYLOAD_BYTES}"),
    ("priority too high", {"priority": "101"}, "priority", "less than or equal to 100"),
    ("priority too low", {"priority": "-101"}, "priority", "greater than or equal to -100"),
    ("priority a word", {"priority": "high"}, "priority", "Enter a whole number"),
    ("max attempts 0", {"max_attempts": "0"}, "max_attempts", "greater than or equal to 1"),
    ("max attempts huge", {"max_attempts": "1001"}, "max_attempts", "less than or equal to 1000"),
    ("bad queue", {"queue": "no spaces!"}, "queue", "letters, digits"),
    ("long unique key", {"unique_key": "k" * 256}, "unique_key", "at most 255 characters"),
    ("NUL unique key", {"unique_key": "a\x00b"}, "unique_key", "Null characters"),
    ("negative delay", {"delay": "-5"}, "delay", "greater than or equal to 0"),
    ("delay a word", {"delay": "soon"}, "delay", "Enter a whole number"),
    ("delay and run-at", {"delay": "10", "run_at": FUTURE}, "delay", "not both"),
    ("past run-at", {"run_at": "2020-01-01T00:00"}, "run_at", "is in the past"),
    ("past run-at, offset", {"run_at": "2020-01-01T00:00+05:00"}, "run_at", "is in the past"),
    ("naive run-at", {"run_at": FUTURE, "time_zone": ""}, "run_at", "has no time zone"),
    ("invalid run-at", {"run_at": "next tuesday"}, "run_at", "Enter a date and time"),
    ("run-at month 13", {"run_at": "2999-13-01T00:00"}, "run_at", "Enter a date and time"),
    ("year 10000", {"run_at": "9999-12-31T23:00-05:00"}, "run_at", "out of range"),
    (
        "year 10000 in a zone",
        {"run_at": "9999-12-31T23:00", "time_zone": "America/New_York"},
        "run_at",
        "out of range",
    ),
    ("year 0", {"run_at": "0001-01-01T00:00+14:00"}, "run_at", "out of range"),
    (
        "long ago",
        {"run_at": "0001-01-01T00:00"},
        "run_at",
        "0001-01-01 00:00:00 UTC is in the past",
    ),
    ("unknown zone", {"run_at": FUTURE, "time_zone": "Mars/Olympus"}, "time_zone", "valid choice"),
    (
        "skipped local time",
        {"run_at": "2999-03-31T02:30", "time_zone": "Europe/Berlin"},
        "run_at",
        "does not exist in Europe/Berlin",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [pytest.param(changes, field, message, id=what) for what, changes, field, message in BAD_INPUT],
)
def test_bad_input_gets_a_field_error_and_stores_nothing(
    operator: Client, services: Services, changes: dict[str, str], field: str, message: str
) -> None:
    response = operator.post(NEW, {**VALID, **changes})

    assert response.status_code == 200
    errors = field_errors(response, field)
    assert any(message in error for error in errors), errors
    assert task_count(services) == 0


def test_typed_values_are_kept_after_an_error(operator: Client, services: Services) -> None:
    typed = {
        **VALID,
        "task": "demo.tasks.greet",
        "args": '[\n  "Ada"\n]',
        "kwargs": '{"nme": "x"}',
        "queue": "mail",
        "priority": "7",
        "max_attempts": "4",
        "unique_key": "greet-ada",
        "run_at": FUTURE,
        "time_zone": "Europe/Paris",
    }

    response = operator.post(NEW, typed)

    assert field_errors(response, "kwargs")
    form = response.context["form"]
    assert {name: form[name].value() for name in typed} == typed
    assert '<option value="Europe/Paris" selected>' in response.text
    assert '<option value="demo.tasks.greet" selected>' in response.text
    assert "&quot;Ada&quot;" in response.text
    assert task_count(services) == 0


def test_every_field_error_shows_at_once(operator: Client, services: Services) -> None:
    response = operator.post(
        NEW,
        {**VALID, "kwargs": '{"x": 1}', "priority": "500", "run_at": "2020-01-01T00:00"},
    )

    assert "unexpected keyword argument 'x'" in field_errors(response, "kwargs")[0]
    assert field_errors(response, "priority")
    assert field_errors(response, "run_at")
    assert task_count(services) == 0
