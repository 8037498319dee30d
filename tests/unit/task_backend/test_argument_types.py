"""A call's JSON arguments checked against the task's annotated parameter types."""

from __future__ import annotations

import inspect
from typing import Any, Optional

import pytest

from scheduler_core.domain import TaskInvalid
from scheduler_core.task_backend.argument_types import check_argument_types


def typed(  # type: ignore[no-untyped-def]
    n: int,
    x: float,
    s: str,
    flag: bool,
    items: list[int],
    mapping: dict[str, Any],
    maybe: Optional[int] = None,  # noqa: UP045 - the old spelling must be read too.
    either: int | str = 0,
    anything: Any = None,
    plain=None,  # noqa: ANN001 - an unannotated parameter is not checked.
    *rest: str,
    **extra: float,
) -> None:
    """Every kind of parameter the checker reads."""


GOOD: tuple[Any, ...] = (1, 2, "s", True, [1], {"a": 1})


def check(*args: Any, **kwargs: Any) -> None:
    signature = inspect.signature(typed)
    check_argument_types(typed, signature, list(args), kwargs)


def test_values_of_the_annotated_json_types_pass() -> None:
    check(*GOOD)
    check(1, 2.5, "s", False, [], {}, None, "text", [{}], {"x": []}, "r1", "r2", k=1, j=2.5)


@pytest.mark.parametrize(
    ("args", "kwargs", "field", "words"),
    [
        (
            ("two", *GOOD[1:]),
            {},
            "args[0]",
            "must be a whole number for parameter 'n', not a string",
        ),
        ((True, *GOOD[1:]), {}, "args[0]", "not true/false"),
        ((1.5, *GOOD[1:]), {}, "args[0]", "not a number"),
        ((1, "2", *GOOD[2:]), {}, "args[1]", "must be a number for parameter 'x'"),
        ((1, 2, 3, *GOOD[3:]), {}, "args[2]", "must be a string"),
        ((1, 2, "s", 1, *GOOD[4:]), {}, "args[3]", "must be true or false"),
        ((*GOOD[:4], {}, {}), {}, "args[4]", "must be a JSON array"),
        ((*GOOD[:5], []), {}, "args[5]", "must be a JSON object"),
        (GOOD, {"maybe": "x"}, "kwargs.maybe", "must be a whole number or null"),
        (GOOD, {"either": 1.5}, "kwargs.either", "a whole number or a string"),
        ((*GOOD, None, 0, None, None, 3), {}, "args[10]", "parameter 'rest'"),
        (GOOD, {"k": "v"}, "kwargs.k", "must be a number for parameter 'extra'"),
    ],
)
def test_a_value_its_annotation_refuses_names_its_place(
    args: tuple[Any, ...], kwargs: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(TaskInvalid) as caught:
        check(*args, **kwargs)

    assert caught.value.field == field
    assert words in caught.value.message


def test_unresolvable_annotations_are_not_checked() -> None:
    def odd(a: "NoSuchType") -> None:  # type: ignore[name-defined]  # noqa: F821, UP037
        """An annotation only a type checker would see."""

    signature = inspect.signature(odd)
    check_argument_types(odd, signature, ["anything"], {})


def test_json_the_domain_refuses_is_reported_before_a_type() -> None:
    deep: Any = 1
    for _ in range(100):
        deep = [deep]

    with pytest.raises(TaskInvalid) as nested:
        check(deep, *GOOD[1:])

    # Not "args[0]: must be a whole number": the nesting is the real trouble.
    assert "nested deeper" in nested.value.message
