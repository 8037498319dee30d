"""A registered task's effective retry policy and time limits, in words (submit form, task
page, API catalogue): its own rules where it has them, the worker's settings otherwise."""

from __future__ import annotations

from typing import Any

from scheduler_core.conf import scheduler_conf
from scheduler_core.domain.defaults import DEFAULT_MAX_ATTEMPTS
from scheduler_core.task_backend.retry_rules import describe_policy, rules_of


def retry_summary(task: Any) -> list[str]:
    """One line per rule: attempts, which exceptions retry, the backoff, the time limits."""
    rules = rules_of(task)
    max_attempts = getattr(task, "max_attempts", DEFAULT_MAX_ATTEMPTS)
    lines = [f"up to {max_attempts} attempt{'s' if max_attempts != 1 else ''}"]
    if not rules.retry_on and not rules.no_retry_on:
        lines.append("retries on every exception")
    lines.extend(rules.describe())
    if rules.backoff is None:
        lines.append(f"backoff: the worker's, {describe_policy(scheduler_conf().retry)}")
    soft, hard = getattr(task, "soft_timeout", None), getattr(task, "timeout", None)
    if soft is not None:
        lines.append(f"soft time limit {soft:g}s (SoftTimeLimitExceeded)")
    if hard is not None:
        lines.append(f"killed after {hard:g}s")
    return lines
