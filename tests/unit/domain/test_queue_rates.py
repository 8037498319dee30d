"""Queue rates: what a rate may be, and how its token bucket refills and caps a claim."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scheduler_core.domain import TaskInvalid
from scheduler_core.domain.queue_rates import (
    QueueRate,
    RateBucket,
    cap_claim_to_rates,
    partition_of,
    tokens_now,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("limit", "per", "partition_by", "field"),
    [
        (0, "second", None, "limit"),
        (True, "second", None, "limit"),
        (1.5, "second", None, "limit"),
        (100_001, "second", None, "limit"),
        (5, "hour", None, "per"),
        (5, "second", "not a name", "partition_by"),
        (5, "second", "", "partition_by"),
    ],
)
def test_a_bad_rate_names_its_field(limit: object, per: str, partition_by: str, field: str) -> None:
    with pytest.raises(TaskInvalid) as caught:
        QueueRate(limit, per, partition_by)  # type: ignore[arg-type]
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("rate", "tokens", "seconds", "expected"),
    [
        (QueueRate(10), 0.0, 0.5, 5.0),
        (QueueRate(10), 0.0, 5.0, 10.0),  # never above the limit
        (QueueRate(60, "minute"), 1.5, 2.0, 3.5),
        (QueueRate(10), 2.0, -3.0, 2.0),  # a clock stepping back refills nothing
    ],
)
def test_the_bucket_refills_at_the_rate(
    rate: QueueRate, tokens: float, seconds: float, expected: float
) -> None:
    bucket = RateBucket(tokens, T0)
    assert tokens_now(rate, bucket, T0 + timedelta(seconds=seconds)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("tokens", "batch", "expected"),
    [
        ({}, 8, (["a", "b"], 8)),
        ({"a": 3.9}, 8, (["a", "b"], 3)),
        ({"a": 0.9}, 8, (["b"], 8)),
        ({"a": 5.0, "b": 2.0}, 8, (["a", "b"], 2)),
    ],
)
def test_a_claim_is_capped_to_whole_tokens(
    tokens: dict[str, float], batch: int, expected: tuple[list[str], int]
) -> None:
    assert cap_claim_to_rates(["a", "b"], batch, tokens) == expected


def test_a_partition_is_the_keyword_arguments_value_as_text() -> None:
    rate = QueueRate(5, partition_by="customer_id")
    assert partition_of(rate, {"customer_id": "acme"}) == "acme"
    assert partition_of(rate, {"customer_id": 42}) == "42"
    assert partition_of(rate, {}) == ""
    assert partition_of(QueueRate(5), {"customer_id": "acme"}) == ""


def test_a_rate_reads_as_operators_say_it() -> None:
    assert QueueRate(10).describe() == "10 per second"
    assert QueueRate(5, "minute", "customer_id").describe() == "5 per minute per customer_id"
