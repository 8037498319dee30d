"""Each rule a task's fields follow, and the field a broken rule names."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from scheduler_core.domain import Priority, TaskInvalid
from scheduler_core.domain.json_values import MAX_NESTING, MAX_PAYLOAD_BYTES
from tests.unit.domain.builders import NOW, new_task

NAIVE = datetime(2026, 1, 1, 12, 0)
# The bytes '["' '"]' and '{}' add around a single string argument and empty kwargs.
FRAME = len('[""]') + len("{}")


def nested(depth: int) -> list[Any]:
    """A list nested `depth` levels below the top one: nested(1) == [[]]."""
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("priority-too-high", {"priority": 101}, "priority"),
    ("priority-too-low", {"priority": -101}, "priority"),
    ("priority-bool", {"priority": True}, "priority"),
    ("priority-float", {"priority": 1.5}, "priority"),
    ("priority-text", {"priority": "1"}, "priority"),
    ("max-attempts-zero", {"max_attempts": 0}, "max_attempts"),
    ("max-attempts-negative", {"max_attempts": -1}, "max_attempts"),
    ("max-attempts-too-many", {"max_attempts": 1001}, "max_attempts"),
    ("max-attempts-bool", {"max_attempts": True}, "max_attempts"),
    ("max-attempts-float", {"max_attempts": 2.0}, "max_attempts"),
    ("args-datetime", {"args": [NOW]}, "args[0]"),
    ("args-set", {"args": [1, {1}]}, "args[1]"),
    ("args-tuple-inside", {"args": [(1, 2)]}, "args[0]"),
    ("args-tuple", {"args": (1, 2)}, "args"),
    ("args-bytes", {"args": [b"x"]}, "args[0]"),
    ("args-object", {"args": [object()]}, "args[0]"),
    ("args-nan", {"args": [float("nan")]}, "args[0]"),
    ("args-infinity", {"args": [float("inf")]}, "args[0]"),
    ("args-enum", {"args": [Priority.HIGH]}, "args[0]"),
    ("args-int-key", {"args": [{1: "one"}]}, "args[0]"),
    ("args-too-deep", {"args": nested(MAX_NESTING + 1)}, "args" + "[0]" * (MAX_NESTING + 1)),
    ("args-nul", {"args": ["a\x00b"]}, "args[0]"),
    ("args-surrogate", {"args": ["\ud800"]}, "args[0]"),
    ("args-nul-in-key", {"args": [{"a\x00": 1}]}, "args[0]"),
    ("args-surrogate-in-key", {"args": [{"\udfff": 1}]}, "args[0]"),
    ("args-too-big", {"args": ["x" * (MAX_PAYLOAD_BYTES - FRAME + 1)]}, "args"),
    ("kwargs-list", {"kwargs": [1]}, "kwargs"),
    ("kwargs-int-key", {"kwargs": {1: "one"}}, "kwargs"),
    ("kwargs-datetime", {"kwargs": {"when": NOW}}, "kwargs.when"),
    ("kwargs-nested-nul", {"kwargs": {"user": {"name": "\x00"}}}, "kwargs.user.name"),
    ("kwargs-surrogate-in-key", {"kwargs": {"\ud800": 1}}, "kwargs"),
    # The size limit covers args and kwargs together, and is reported as `args`.
    ("kwargs-too-big", {"kwargs": {"blob": "x" * MAX_PAYLOAD_BYTES}}, "args"),
    ("name-empty", {"name": ""}, "name"),
    ("name-not-text", {"name": None}, "name"),
    ("name-digit-first", {"name": "1tasks.x"}, "name"),
    ("name-space", {"name": "tasks.send email"}, "name"),
    ("name-double-dot", {"name": "tasks..send"}, "name"),
    ("name-import-path-colon", {"name": "os:system"}, "name"),
    ("name-too-long", {"name": "x" * 201}, "name"),
    ("queue-empty", {"queue": ""}, "queue"),
    ("queue-not-text", {"queue": None}, "queue"),
    ("queue-leading-dash", {"queue": "-low"}, "queue"),
    ("queue-space", {"queue": "low prio"}, "queue"),
    ("queue-too-long", {"queue": "q" * 101}, "queue"),
    ("run-after-naive", {"run_after": NAIVE}, "run_after"),
    ("run-after-text", {"run_after": "2026-01-01T12:00:00+00:00"}, "run_after"),
    ("enqueued-at-naive", {"now": NAIVE, "run_after": NOW}, "enqueued_at"),
    ("timeout-zero", {"timeout": 0}, "timeout"),
    ("timeout-negative", {"timeout": -1.5}, "timeout"),
    ("timeout-nan", {"timeout": float("nan")}, "timeout"),
    ("timeout-infinite", {"timeout": float("inf")}, "timeout"),
    ("timeout-bool", {"timeout": True}, "timeout"),
    ("timeout-text", {"timeout": "5"}, "timeout"),
    ("unique-key-empty", {"unique_key": ""}, "unique_key"),
    ("unique-key-too-long", {"unique_key": "k" * 256}, "unique_key"),
    ("unique-key-not-text", {"unique_key": 5}, "unique_key"),
    ("unique-key-nul", {"unique_key": "a\x00b"}, "unique_key"),
]


@pytest.mark.parametrize(
    ("overrides", "field"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_invalid_field_is_named(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(TaskInvalid) as caught:
        new_task(**overrides)

    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert caught.value.message


VALID: list[tuple[str, dict[str, Any]]] = [
    ("priority-lowest", {"priority": -100}),
    ("priority-highest", {"priority": 100}),
    ("priority-named", {"priority": Priority.HIGH}),
    ("max-attempts-one", {"max_attempts": 1}),
    ("max-attempts-limit", {"max_attempts": 1000}),
    ("args-plain-json", {"args": [0, -7, 10**30, 1.5, -0.0, True, None, "", "text"]}),
    ("args-unicode", {"args": ["ünïcødé ✓ 日本 😀", {"clé": "值"}]}),
    ("args-nested-lists", {"args": [[1, [2, [3, []]]], {"a": {"b": [{}]}}]}),
    ("args-nested-to-the-limit", {"args": nested(MAX_NESTING)}),
    ("args-at-size-limit", {"args": ["x" * (MAX_PAYLOAD_BYTES - FRAME)]}),
    # Measured in UTF-8 bytes: 2 per "é", not 6 for its escaped form "\u00e9".
    ("args-non-ascii-at-size-limit", {"args": ["é" * ((MAX_PAYLOAD_BYTES - FRAME) // 2)]}),
    ("kwargs-plain-json", {"kwargs": {"to": "a@b.c", "retry": False, "n": 3}}),
    ("name-plain-identifier", {"name": "cleanup"}),
    ("name-longest", {"name": "x" * 200}),
    ("queue-dotted", {"queue": "emails.high-priority_2"}),
    ("queue-longest", {"queue": "q" * 100}),
    ("timeout-small-float", {"timeout": 0.001}),
    ("timeout-int", {"timeout": 30}),
    ("unique-key-longest", {"unique_key": "k" * 255}),
    ("run-after-other-zone", {"run_after": datetime.fromisoformat("2026-01-01T13:00+01:00")}),
]


@pytest.mark.parametrize("overrides", [c[1] for c in VALID], ids=[c[0] for c in VALID])
def test_valid_edge_values_pass(overrides: dict[str, Any]) -> None:
    task = new_task(**overrides)

    task.validate()
    for name, value in overrides.items():
        assert getattr(task, name) == value


def test_non_ascii_payload_over_the_limit_is_refused() -> None:
    too_many = (MAX_PAYLOAD_BYTES - FRAME) // 2 + 1

    with pytest.raises(TaskInvalid, match=str(MAX_PAYLOAD_BYTES)) as caught:
        new_task(args=["é" * too_many])

    assert caught.value.field == "args"


@pytest.mark.parametrize(
    ("result", "field"), [({1, 2}, "result"), ([NOW], "result[0]"), ({"k": "\x00"}, "result.k")]
)
def test_validate_checks_the_result(result: Any, field: str) -> None:
    task = new_task()
    task.result = result

    with pytest.raises(TaskInvalid) as caught:
        task.validate()

    assert caught.value.field == field


def test_first_broken_rule_wins() -> None:
    with pytest.raises(TaskInvalid) as caught:
        new_task(name="", queue="", priority=1000)

    assert caught.value.field == "name"


def test_validation_runs_before_the_schedule_is_compared() -> None:
    # Comparing a naive run_after with an aware now would raise TypeError instead.
    with pytest.raises(TaskInvalid, match="timezone-aware"):
        new_task(run_after=NAIVE + timedelta(days=1))
