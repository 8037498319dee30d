"""The soft time limit: SoftTimeLimitExceeded raised inside an attempt that runs too long.

How it gets in depends on where the attempt runs. A process slot runs it on its main
thread, where a SIGALRM timer interrupts even a blocking call (PEP 475 retries a sleep
only when the handler returns). A thread slot cannot take signals, so a timer thread
raises the exception asynchronously in it: it lands at the next Python instruction, so a
call blocked in C code sees it only once that call returns. An `async def` task is
cancelled at its current await instead (asyncio.timeout), which it sees as CancelledError;
the attempt then fails with SoftTimeLimitExceeded unless the task returns a value.
Tasks without a soft_timeout arm nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import signal
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from scheduler_core.task_exceptions import SoftTimeLimitExceeded


def _exceeded(seconds: float) -> SoftTimeLimitExceeded:
    return SoftTimeLimitExceeded(f"the soft time limit of {seconds:g}s was exceeded")


@contextmanager
def soft_limit(seconds: float | None) -> Iterator[None]:
    """Raise SoftTimeLimitExceeded in this thread once `seconds` pass inside the block."""
    if seconds is None:
        yield
    elif threading.current_thread() is threading.main_thread():
        with _alarm(seconds):
            yield
    else:
        with _async_exception(seconds):
            yield


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: FrameType | None) -> None:
        raise _exceeded(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _async_exception(seconds: float) -> Iterator[None]:
    target = threading.get_ident()
    # Held while raising and while disarming, so nothing is raised once the block is left.
    lock = threading.Lock()
    armed = [True]

    def expire() -> None:
        with lock:
            if armed[0]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(target), ctypes.py_object(SoftTimeLimitExceeded)
                )

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            armed[0] = False
        timer.cancel()


def bounded_coroutine(
    function: Callable[..., Coroutine[Any, Any, Any]], seconds: float
) -> Callable[..., Coroutine[Any, Any, Any]]:
    """`function`, cancelled at its current await once `seconds` pass."""

    async def run(*args: Any, **kwargs: Any) -> Any:
        limit = asyncio.timeout(seconds)
        try:
            async with limit:
                return await function(*args, **kwargs)
        except TimeoutError as error:
            if limit.expired():
                raise _exceeded(seconds) from error
            raise

    return run
