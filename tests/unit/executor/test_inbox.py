"""The supervisor's inbox: posted events and watched pipes in one wait."""

from __future__ import annotations

import os
import queue
import threading
import time
from uuid import uuid4

import pytest

from scheduler_core.executor.events import Event, Fenced
from scheduler_core.executor.inbox import Inbox


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


def test_a_post_from_another_thread_wakes_a_long_wait(inbox: Inbox) -> None:
    posted = Fenced("w1")
    threading.Timer(0.05, inbox.put, [posted]).start()
    began = time.monotonic()

    events = inbox.wait(30)

    assert events == [posted]
    assert time.monotonic() - began < 5


def test_a_wait_with_nothing_to_hear_returns_nothing_after_its_timeout(inbox: Inbox) -> None:
    began = time.monotonic()

    assert inbox.wait(0.05) == []
    assert time.monotonic() - began >= 0.04
    with pytest.raises(queue.Empty):
        inbox.get_nowait()


def test_a_watched_pipe_is_read_when_it_has_data_and_before_posted_events(inbox: Inbox) -> None:
    read_end, write_end = os.pipe()
    heard: list[Event] = []

    def reader() -> list[Event]:
        os.read(read_end, 1)
        event = Fenced(f"pipe-{uuid4()}")
        heard.append(event)
        return [event]

    inbox.watch(read_end, reader)
    os.write(write_end, b"x")
    inbox.put(Fenced("posted"))

    # Posted events waiting already are returned at once, without a look at the pipes.
    assert inbox.wait(1) == [Fenced("posted")]
    assert inbox.wait(1) == heard
    inbox.unwatch(read_end)
    os.write(write_end, b"x")
    assert inbox.wait(0.05) == []
    os.close(read_end)
    os.close(write_end)


def test_get_hands_out_one_event_at_a_time_in_order(inbox: Inbox) -> None:
    for name in ("a", "b", "c"):
        inbox.put(Fenced(name))

    assert [inbox.get(timeout=1) for _ in range(3)] == [Fenced("a"), Fenced("b"), Fenced("c")]
    assert inbox.empty()


def test_a_thread_left_running_at_the_stop_may_still_post(inbox: Inbox) -> None:
    # The main loop still sleeps when the inbox closes, so a post would ring the bell: its
    # descriptor is closed by then (and may be another file's), so it must not be written.
    waiter = threading.Thread(target=inbox.wait, args=(0.3,))
    waiter.start()
    time.sleep(0.1)
    inbox.close()

    inbox.put(Fenced("late"))
    waiter.join()
