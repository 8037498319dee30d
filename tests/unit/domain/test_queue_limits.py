"""cap_claim: which queues a claim may take from, and how many tasks, under the limits."""

from __future__ import annotations

import pytest

from scheduler_core.domain.queue_limits import MAX_QUEUE_LIMIT, cap_claim, check_queue_limit


@pytest.mark.parametrize(
    ("queues", "batch", "limits", "running", "expected"),
    [
        # No limits: everything passes unchanged.
        (["a", "b"], 10, {}, {}, (["a", "b"], 10)),
        # A full queue is left out; the others keep the whole batch.
        (["a", "b"], 10, {"a": 2}, {"a": 2}, (["b"], 10)),
        # Over the limit (lowered while tasks ran) counts as full.
        (["a"], 10, {"a": 2}, {"a": 5}, ([], 10)),
        # Free slots shrink the batch.
        (["a", "b"], 10, {"a": 5}, {"a": 2}, (["a", "b"], 3)),
        # The fewest free slots among limited queues decide.
        (["a", "b", "c"], 10, {"a": 5, "b": 2}, {"b": 1}, (["a", "b", "c"], 1)),
        # A batch already smaller than the free slots stays as it is.
        (["a"], 2, {"a": 10}, {}, (["a"], 2)),
        # Limits of queues the claim does not touch do not matter.
        (["b"], 10, {"a": 1}, {"a": 1}, (["b"], 10)),
    ],
)
def test_cap_claim(
    queues: list[str],
    batch: int,
    limits: dict[str, int],
    running: dict[str, int],
    expected: tuple[list[str], int],
) -> None:
    assert cap_claim(queues, batch, limits, running) == expected


@pytest.mark.parametrize("good", [None, 1, MAX_QUEUE_LIMIT])
def test_good_limits_pass(good: int | None) -> None:
    check_queue_limit(good)


@pytest.mark.parametrize("bad", [0, -3, MAX_QUEUE_LIMIT + 1, True, 2.0, "4"])
def test_bad_limits_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="whole number"):
        check_queue_limit(bad)  # type: ignore[arg-type]
