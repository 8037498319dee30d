"""A task's own retry rules: which exceptions retry, and how long to wait before the next try.

`@task(retry_on=..., no_retry_on=..., backoff=...)` builds one; the slot that ran the
attempt applies it to the exception it caught (only it holds the exception object), and
tells the supervisor whether to retry and after how long. A task without rules costs
nothing: the worker's policy (settings.SCHEDULER["RETRY"]) decides, as before.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from scheduler_core.domain import RetryPolicy

# A backoff: {"base": s, "factor": f, "max": s, "jitter": j} (keys optional), or a function
# of the attempt number (1-based) and the exception that returns seconds, or None to stop.
BackoffFunction = Callable[[int, BaseException], float | None]
Backoff = Mapping[str, float] | BackoffFunction | None
ExceptionTypes = tuple[type[BaseException], ...]

BACKOFF_KEYS = ("base", "factor", "max", "jitter")
# The longest delay a backoff function may ask for (seconds): 30 days.
MAX_RETRY_DELAY = 30 * 24 * 3600.0

_rng = random.Random()


class RetryRulesInvalid(ValueError):
    """A task's retry_on, no_retry_on or backoff option cannot be used."""


def backoff_policy(backoff: Mapping[str, float]) -> RetryPolicy:
    """The RetryPolicy a backoff mapping describes; RetryRulesInvalid names what is wrong."""
    unknown = sorted(set(backoff) - set(BACKOFF_KEYS))
    if unknown:
        raise RetryRulesInvalid(f"backoff has unknown keys {unknown}; expected {BACKOFF_KEYS}")
    default = RetryPolicy()
    try:
        base = float(backoff.get("base", default.base.total_seconds()))
        cap = float(backoff.get("max", max(default.cap.total_seconds(), base)))
        return RetryPolicy(
            base=timedelta(seconds=base),
            factor=float(backoff.get("factor", default.factor)),
            cap=timedelta(seconds=cap),
            jitter=float(backoff.get("jitter", default.jitter)),
        )
    except (TypeError, ValueError, OverflowError) as error:
        raise RetryRulesInvalid(f"backoff: {error}") from error


@dataclass(frozen=True, slots=True)
class RetryRules:
    """Which exceptions a task retries on, and its backoff; empty rules defer to the worker."""

    retry_on: ExceptionTypes = ()
    no_retry_on: ExceptionTypes = ()
    backoff: Backoff = None

    def __post_init__(self) -> None:
        for name in ("retry_on", "no_retry_on"):
            kinds = getattr(self, name)
            if not isinstance(kinds, tuple) or not all(
                isinstance(kind, type) and issubclass(kind, BaseException) for kind in kinds
            ):
                raise RetryRulesInvalid(f"{name} must be a tuple of exception classes")
        if self.backoff is not None and not callable(self.backoff):
            if not isinstance(self.backoff, Mapping):
                raise RetryRulesInvalid("backoff must be a mapping or a function")
            backoff_policy(self.backoff)

    @property
    def empty(self) -> bool:
        """True when the task has no rules of its own."""
        return not self.retry_on and not self.no_retry_on and self.backoff is None

    def decide(self, attempt: int, error: BaseException) -> tuple[bool, float | None]:
        """(retry?, seconds to wait or None for the worker's backoff) after `attempt` raised."""
        if isinstance(error, self.no_retry_on):
            return False, None
        if self.retry_on and not isinstance(error, self.retry_on):
            return False, None
        backoff = self.backoff
        if backoff is None:
            return True, None
        if callable(backoff):
            seconds = backoff(attempt, error)
            if seconds is None:
                return False, None
            if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                raise RetryRulesInvalid(f"the backoff function returned {seconds!r}, not seconds")
            if not math.isfinite(seconds):
                raise RetryRulesInvalid(f"the backoff function returned {seconds!r}")
            return True, min(max(float(seconds), 0.0), MAX_RETRY_DELAY)
        delay = backoff_policy(backoff).delay(attempt, _rng)
        return True, delay.total_seconds()

    def describe(self) -> list[str]:
        """The rules in words, one line each, for the submit form and the task page."""
        lines = []
        if self.retry_on:
            lines.append(f"retries only on {_names(self.retry_on)}")
        if self.no_retry_on:
            lines.append(f"never retries on {_names(self.no_retry_on)}")
        backoff = self.backoff
        if callable(backoff):
            name = getattr(backoff, "__qualname__", repr(backoff))
            lines.append(f"backoff: {name}(attempt, exception) decides the delay")
        elif backoff is not None:
            lines.append(f"backoff: {describe_policy(backoff_policy(backoff))}")
        return lines


def describe_policy(policy: RetryPolicy) -> str:
    """An exponential backoff in words."""
    return (
        f"{policy.base.total_seconds():g}s × {policy.factor:g}^(attempt−1), "
        f"at most {policy.cap.total_seconds():g}s, jitter {policy.jitter:g}"
    )


def _names(kinds: ExceptionTypes) -> str:
    return ", ".join(kind.__qualname__ for kind in kinds)


def rules_of(task: Any) -> RetryRules:
    """The retry rules of a registered task (empty for a plain django.tasks Task)."""
    rules = getattr(task, "retry_rules", None)
    return rules if isinstance(rules, RetryRules) else RetryRules()
