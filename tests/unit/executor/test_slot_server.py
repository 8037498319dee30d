"""Which command lines start the slots' forkserver before Django is set up."""

from __future__ import annotations

import pytest

from scheduler_core.executor.slot_server import uses_process_pool


@pytest.mark.parametrize(
    "options",
    [[], ["--concurrency", "2"], ["--pool", "process"], ["--pool=process", "--queues", "a,b"]],
)
def test_a_process_pool_starts_its_server_early(options: list[str]) -> None:
    assert uses_process_pool(options)


@pytest.mark.parametrize(
    "options",
    [
        ["--pool", "thread"],
        ["--pool=thread"],
        ["--help"],
        ["-h"],
        ["--version"],
        # Django applies these only after the early start: the server would get the
        # environment's settings, not the ones asked for.
        ["--settings", "other.settings"],
        ["--settings=other.settings"],
        ["--pythonpath", "/srv/app"],
    ],
)
def test_no_early_server_when_it_would_be_wasted_or_wrong(options: list[str]) -> None:
    assert not uses_process_pool(options)
