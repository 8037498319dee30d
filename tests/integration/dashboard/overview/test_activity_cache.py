"""Finished buckets are counted once per bucket width; the current one on every render."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache

from dashboard.overview.activity_cache import window_activity
from scheduler_core.queries.activity import Window

from .factories import db_now, finished_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """No buckets cached by another test."""
    cache.clear()
    yield
    cache.clear()


def test_past_buckets_come_from_the_cache_and_the_current_one_is_fresh() -> None:
    window = Window.ending_at(db_now(), timedelta(minutes=15), 4)
    finished_task(at=window.bucket_start(1) + timedelta(minutes=1))
    first = window_activity("default", window)
    assert [bucket.succeeded for bucket in first] == [0, 1, 0, 0]

    finished_task(at=window.bucket_start(2) + timedelta(minutes=1))
    finished_task(at=window.bucket_start(3) + timedelta(seconds=1))
    second = window_activity("default", window)

    # The ended bucket 2 was cached before its task was written; the current one was not.
    assert [bucket.succeeded for bucket in second] == [0, 1, 0, 1]
    assert [bucket.start for bucket in second] == [window.bucket_start(i) for i in range(4)]


def test_the_next_window_counts_everything_again() -> None:
    window = Window.ending_at(db_now(), timedelta(minutes=15), 4)
    window_activity("default", window)
    finished_task(at=window.bucket_start(2) + timedelta(minutes=1))
    moved = Window(start=window.start - window.width, width=window.width, buckets=4)
    assert sum(bucket.succeeded for bucket in window_activity("default", moved)) == 1


def test_a_one_bucket_window_is_all_current() -> None:
    window = Window.ending_at(db_now(), timedelta(minutes=15), 1)
    finished_task(at=window.start + timedelta(seconds=1))
    assert [bucket.succeeded for bucket in window_activity("default", window)] == [1]
