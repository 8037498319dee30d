"""The collector that manage.py paused for a worker's start runs again, the start set aside."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from scheduler_core.executor.start_gc import resume_collector


@pytest.fixture(autouse=True)
def collector_as_it_was() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_a_paused_collector_runs_again_with_the_start_set_aside() -> None:
    gc.unfreeze()
    gc.disable()

    resume_collector()

    assert gc.isenabled()
    assert gc.get_freeze_count() > 0


def test_a_collector_nobody_paused_is_left_alone() -> None:
    # A test calling the command: freezing its objects would keep its garbage for good.
    gc.unfreeze()
    gc.enable()

    resume_collector()

    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
