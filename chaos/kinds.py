"""The kinds of chaos task and what each one is designed to end as; no Django here."""

from __future__ import annotations

from dataclasses import dataclass

TASKS_MODULE = "chaos.tasks"
SCHEDULE_NAME = "chaos-tick"


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of chaos task: its registered name and the outcomes it may end with."""

    function: str
    allowed: frozenset[str]
    # Attempts it is submitted with: generous for tasks that must succeed, so that lost
    # leases (each one uses an attempt) cannot exhaust them during a run full of kills.
    max_attempts: int
    # True when a failure before the last attempt is what the kind is built to do.
    non_retryable: bool = False

    @property
    def name(self) -> str:
        """The registered task name."""
        return f"{TASKS_MODULE}.{self.function}"


MUST_SUCCEED = frozenset({"succeeded"})
KINDS = {
    kind.function: kind
    for kind in (
        Kind("quick", MUST_SUCCEED, 25),
        Kind("slow", MUST_SUCCEED, 25),
        # 5 to 30 s, due throughout the run: running when a worker is paused or cut off.
        Kind("long", MUST_SUCCEED, 25),
        # Fails its first `failures` attempts on purpose, then succeeds.
        Kind("flaky", MUST_SUCCEED, 25),
        Kind("always_fails", frozenset({"failed"}), 3),
        # Returns a value JSON cannot hold: failed at once, without retries.
        Kind("bad_result", frozenset({"failed"}), 5, non_retryable=True),
        # Submitted with run_after in the future.
        Kind("delayed", MUST_SUCCEED, 25),
        # Slow tasks the runner cancels while they wait or run; a cancel may lose the race.
        Kind("cancellable", frozenset({"succeeded", "cancelled"}), 25),
        # Submitted by the periodic schedule.
        Kind("tick", MUST_SUCCEED, 25),
    )
}
BY_NAME = {kind.name: kind for kind in KINDS.values()}


def kind_of(task_name: str) -> Kind | None:
    """The chaos kind of a registered task name, or None for a task the run did not design."""
    return BY_NAME.get(task_name)
