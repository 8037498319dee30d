"""A task's own retry rules, as a table: which exceptions retry, and after how long."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from scheduler_core.task_backend.retry_rules import RetryRules, RetryRulesInvalid, backoff_policy

NO_JITTER = {"base": 2, "factor": 2, "max": 3600, "jitter": 0}


@pytest.mark.parametrize(
    ("rules", "error", "attempt", "expected"),
    [
        (RetryRules(), ValueError(), 1, (True, None)),
        (RetryRules(retry_on=(OSError,)), ConnectionError(), 1, (True, None)),
        (RetryRules(retry_on=(OSError,)), ValueError(), 1, (False, None)),
        (RetryRules(no_retry_on=(ValueError,)), ValueError(), 1, (False, None)),
        (RetryRules(no_retry_on=(ValueError,)), KeyError(), 1, (True, None)),
        # no_retry_on wins where both name the exception.
        (
            RetryRules(retry_on=(OSError,), no_retry_on=(TimeoutError,)),
            TimeoutError(),
            1,
            (False, None),
        ),
        (RetryRules(backoff=NO_JITTER), OSError(), 1, (True, 2.0)),
        (RetryRules(backoff=NO_JITTER), OSError(), 4, (True, 16.0)),
        (RetryRules(backoff=NO_JITTER), OSError(), 40, (True, 3600.0)),
        (RetryRules(backoff=lambda attempt, error: attempt * 10.0), OSError(), 3, (True, 30.0)),
        (RetryRules(backoff=lambda attempt, error: None), OSError(), 1, (False, None)),
        (RetryRules(backoff=lambda attempt, error: -5), OSError(), 1, (True, 0.0)),
    ],
)
def test_decide(
    rules: RetryRules, error: BaseException, attempt: int, expected: tuple[bool, float | None]
) -> None:
    assert rules.decide(attempt, error) == expected


def test_jitter_takes_at_most_its_share_away() -> None:
    rules = RetryRules(backoff={"base": 10, "factor": 1, "max": 10, "jitter": 0.1})
    for _ in range(50):
        retry, seconds = rules.decide(1, OSError())
        assert retry and seconds is not None and 9.0 <= seconds <= 10.0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"retry_on": (ValueError, "x")}, "retry_on must be a tuple of exception classes"),
        ({"no_retry_on": [ValueError]}, "no_retry_on must be a tuple"),
        ({"backoff": {"bse": 1}}, "unknown keys"),
        ({"backoff": {"factor": 0.5}}, "factor"),
        ({"backoff": {"jitter": 2}}, "jitter"),
        ({"backoff": 5}, "mapping or a function"),
    ],
)
def test_unusable_rules_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(RetryRulesInvalid, match=message):
        RetryRules(**fields)


def test_a_backoff_function_must_return_seconds() -> None:
    with pytest.raises(RetryRulesInvalid, match="returned 'soon'"):
        RetryRules(backoff=lambda attempt, error: "soon").decide(1, OSError())  # type: ignore[arg-type,return-value]


def test_described_in_words() -> None:
    rules = RetryRules(retry_on=(OSError,), no_retry_on=(ValueError,), backoff=NO_JITTER)

    assert rules.describe() == [
        "retries only on OSError",
        "never retries on ValueError",
        "backoff: 2s × 2^(attempt−1), at most 3600s, jitter 0",
    ]
    assert backoff_policy({"base": 2}).base == timedelta(seconds=2)
