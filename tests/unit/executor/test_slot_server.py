"""When the slots' server is not forked from the supervisor (it is spawned with the first
slot instead, as multiprocessing does): a fork must copy a single thread."""

from __future__ import annotations

import multiprocessing.forkserver
import os
import threading

import pytest

from scheduler_core.executor import slot_server


def test_no_fork_while_another_thread_runs() -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(os, "fork", lambda: pytest.fail("forked beside a running thread"))
            assert slot_server.fork_server() is False
    finally:
        release.set()
        thread.join()


def test_no_second_server(monkeypatch: pytest.MonkeyPatch) -> None:
    server = multiprocessing.forkserver._forkserver
    monkeypatch.setattr(server, "_forkserver_pid", 12345)
    # As if alone (a test process may run threads of its own, e.g. under xdist).
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked a second server"))

    assert slot_server.fork_server() is False
