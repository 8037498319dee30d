"""The backoff between attempts, and that a task makes exactly max_attempts of them."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from scheduler_core.domain import InvalidTransition, RetryPolicy, TaskStatus
from tests.unit.domain.builders import NOW, error, new_task


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


DEFAULT = RetryPolicy()
GENTLE = RetryPolicy(base=seconds(2), factor=1.5, cap=seconds(20), jitter=0)
FLAT = RetryPolicy(base=seconds(30), factor=1, cap=seconds(30), jitter=0)
IMMEDIATE = RetryPolicy(base=seconds(0), factor=3, cap=seconds(0), jitter=0.5)


@pytest.mark.parametrize(
    ("policy", "delays"),
    [
        (DEFAULT, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600]),
        (GENTLE, [2, 3, 4.5, 6.75, 10.125, 15.1875, 20, 20]),
        (FLAT, [30, 30, 30, 30]),
        (IMMEDIATE, [0, 0, 0]),
        (RetryPolicy(base=seconds(5), factor=10, cap=seconds(600)), [5, 50, 500, 600, 600]),
    ],
    ids=["default", "gentle", "flat", "immediate", "steep"],
)
def test_undisturbed_delay_for_each_attempt(policy: RetryPolicy, delays: list[float]) -> None:
    got = [policy.undisturbed_delay(attempt) for attempt in range(1, len(delays) + 1)]

    assert got == [seconds(d) for d in delays]


@pytest.mark.parametrize("policy", [DEFAULT, GENTLE, FLAT, IMMEDIATE])
@pytest.mark.parametrize("attempt", [100, 1_000, 10_000])
def test_huge_attempt_numbers_stay_at_the_cap(policy: RetryPolicy, attempt: int) -> None:
    assert policy.undisturbed_delay(attempt) == policy.cap
    assert policy.delay(attempt, random.Random(attempt)) <= policy.cap


def test_cap_between_two_steps_is_reached_not_exceeded() -> None:
    policy = RetryPolicy(base=seconds(3), factor=2, cap=seconds(10), jitter=0)

    assert [policy.undisturbed_delay(n) for n in (1, 2, 3, 4)] == [
        seconds(3),
        seconds(6),
        seconds(10),
        seconds(10),
    ]


@pytest.mark.parametrize("policy", [DEFAULT, GENTLE, FLAT, IMMEDIATE])
def test_zero_jitter_gives_the_undisturbed_delay(policy: RetryPolicy) -> None:
    exact = RetryPolicy(base=policy.base, factor=policy.factor, cap=policy.cap, jitter=0)

    for attempt in range(1, 15):
        assert exact.delay(attempt, random.Random(attempt)) == exact.undisturbed_delay(attempt)


@pytest.mark.parametrize("jitter", [0.1, 0.25, 0.5, 1.0])
def test_jittered_delay_stays_within_its_bounds(jitter: float) -> None:
    policy = RetryPolicy(base=seconds(1), factor=2, cap=seconds(3600), jitter=jitter)
    for seed in range(300):
        rng = random.Random(seed)
        for attempt in range(1, 16):
            full = policy.undisturbed_delay(attempt)
            assert full * (1 - jitter) <= policy.delay(attempt, rng) <= full


def test_jitter_actually_spreads_the_delays() -> None:
    delays = {DEFAULT.delay(3, random.Random(seed)) for seed in range(50)}

    assert len(delays) > 40


def test_same_seed_gives_the_same_delays() -> None:
    def run(seed: int) -> list[timedelta]:
        rng = random.Random(seed)
        return [DEFAULT.delay(attempt, rng) for attempt in range(1, 10)]

    assert run(7) == run(7)
    assert run(7) != run(8)


@pytest.mark.parametrize(
    "fields",
    [
        {"base": seconds(-1)},
        {"factor": 0.5},
        {"factor": 0},
        {"factor": float("nan")},
        {"factor": float("inf")},
        {"base": seconds(10), "cap": seconds(5)},
        {"jitter": -0.1},
        {"jitter": 1.01},
        {"jitter": float("nan")},
    ],
)
def test_invalid_policy_is_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("attempt", [0, -1])
def test_attempt_numbers_start_at_one(attempt: int) -> None:
    with pytest.raises(ValueError, match="start at 1"):
        DEFAULT.undisturbed_delay(attempt)


@pytest.mark.parametrize("max_attempts", [1, 2, 3, 7])
def test_task_failing_every_time_makes_exactly_max_attempts(max_attempts: int) -> None:
    task = new_task(max_attempts=max_attempts)
    rng = random.Random(max_attempts)
    now = NOW
    attempts = 0

    while not task.is_terminal():
        if task.run_after > now:
            # Claiming before the backoff is over is refused.
            with pytest.raises(InvalidTransition):
                task.claim("w", now=task.run_after - timedelta(microseconds=1), lease=seconds(60))
        now = max(now, task.run_after)
        task.claim("w", now=now, lease=seconds(60))
        attempts += 1
        now += seconds(1)
        task.fail(
            error(task.attempt, at=now), attempt=task.attempt, now=now, policy=DEFAULT, rng=rng
        )
        assert attempts <= max_attempts

    assert attempts == task.attempt == max_attempts
    assert task.status is TaskStatus.FAILED
    assert [e.attempt for e in task.errors] == list(range(1, max_attempts + 1))
