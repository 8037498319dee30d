"""What a task records about failed attempts and moves, and the domain's errors."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

import scheduler_core.domain.errors as errors_module
from scheduler_core.domain import SchedulerError, TaskError, TaskInvalid, WorkerInvalid
from tests.unit.domain.builders import NOW


class PaymentDeclined(Exception):
    """An error of the kind a task raises."""


def charge_card(amount: int) -> None:
    raise PaymentDeclined(f"card declined for {amount}")


def test_from_exception_captures_type_message_and_traceback() -> None:
    try:
        charge_card(42)
    except PaymentDeclined as raised:
        record = TaskError.from_exception(raised, attempt=2, failed_at=NOW, worker_id="w-1")

    assert record.exception_type == f"{__name__}.PaymentDeclined"
    assert record.message == "card declined for 42"
    assert record.traceback.startswith("Traceback (most recent call last):")
    assert "in charge_card" in record.traceback
    assert record.traceback.rstrip().endswith("PaymentDeclined: card declined for 42")
    assert (record.attempt, record.failed_at, record.worker_id) == (2, NOW, "w-1")


def test_from_exception_keeps_the_cause_chain() -> None:
    try:
        prices: dict[str, int] = {}
        try:
            prices["missing"]
        except KeyError as cause:
            raise RuntimeError("lookup failed") from cause
    except RuntimeError as raised:
        record = TaskError.from_exception(raised, attempt=1, failed_at=NOW, worker_id=None)

    assert record.exception_type == "builtins.RuntimeError"
    assert "KeyError: 'missing'" in record.traceback
    assert "direct cause" in record.traceback
    assert record.worker_id is None


def test_from_exception_of_an_exception_never_raised() -> None:
    record = TaskError.from_exception(ValueError(), attempt=1, failed_at=NOW, worker_id=None)

    assert (record.exception_type, record.message) == ("builtins.ValueError", "")
    assert record.traceback == "ValueError\n"


def test_records_are_immutable() -> None:
    record = TaskError.from_exception(ValueError("x"), attempt=1, failed_at=NOW, worker_id=None)

    with pytest.raises(FrozenInstanceError):
        record.message = "changed"  # type: ignore[misc]


def test_every_domain_error_is_a_scheduler_error() -> None:
    classes = [
        value
        for value in vars(errors_module).values()
        if isinstance(value, type) and issubclass(value, Exception)
    ]

    assert len(classes) >= 10
    assert all(issubclass(cls, SchedulerError) for cls in classes)
    assert all(cls.__doc__ for cls in classes)


@pytest.mark.parametrize("error_class", [TaskInvalid, WorkerInvalid])
def test_invalid_errors_name_their_field(error_class: type[TaskInvalid | WorkerInvalid]) -> None:
    error = error_class("queue", "must be a non-empty string")

    assert (error.field, error.message) == ("queue", "must be a non-empty string")
    assert str(error) == "queue: must be a non-empty string"
