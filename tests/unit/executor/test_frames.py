"""Cutting a slot's messages out of what its pipe holds (frames.py), on real pipes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from uuid import uuid4

import pytest

from scheduler_core.executor import frames
from scheduler_core.executor.codec import Outcome
from scheduler_core.executor.events import Finished
from scheduler_core.executor.frames import FrameReader
from scheduler_core.executor.inbox import Inbox
from scheduler_core.executor.slots import ProcessSlot


@pytest.fixture
def pipe() -> Iterator[tuple[Connection, Connection]]:
    """The two ends of a slot's pipe: the supervisor's, the child's."""
    parent, child = Pipe(duplex=True)
    yield parent, child
    parent.close()
    if not child.closed:
        child.close()


def test_every_message_the_pipe_holds_comes_out_of_one_read_in_order(
    pipe: tuple[Connection, Connection], monkeypatch: pytest.MonkeyPatch
) -> None:
    parent, child = pipe
    sent = [f"message {index}".encode() * index for index in range(6)]
    for message in sent:
        child.send_bytes(message)
    reads: list[int] = []
    real_read = os.read

    def counted(fd: int, size: int) -> bytes:
        reads.append(fd)
        return real_read(fd, size)

    monkeypatch.setattr(os, "read", counted)

    assert FrameReader(parent.fileno()).read() == sent
    assert len(reads) == 1


def test_a_message_split_between_reads_waits_for_its_end(
    pipe: tuple[Connection, Connection], monkeypatch: pytest.MonkeyPatch
) -> None:
    parent, child = pipe
    # Reads of 5 bytes: every header and body arrives in pieces.
    monkeypatch.setattr(frames, "CHUNK", 5)
    sent = [b"first message", b"", b"x" * 40]
    for message in sent:
        child.send_bytes(message)
    reader = FrameReader(parent.fileno())

    received: list[bytes] = []
    while parent.poll(0):
        received += reader.read()

    assert received == sent
    assert not reader.closed


def test_a_message_of_more_than_a_pipe_s_worth_is_read_whole(
    pipe: tuple[Connection, Connection],
) -> None:
    # multiprocessing writes a message over 16 KiB as a header, then the body.
    parent, child = pipe
    big = os.urandom(200_000)
    child.send_bytes(big)
    child.send_bytes(b"after")
    reader = FrameReader(parent.fileno())

    received: list[bytes] = []
    while len(received) < 2:
        received += reader.read()

    assert received == [big, b"after"]


def test_the_long_header_of_a_huge_message_is_understood() -> None:
    # Lengths of 2 GiB or more go as -1, then 8 bytes; built by hand, not sent.
    reader = FrameReader(-1)
    reader._buffer += (-1).to_bytes(4, "big", signed=True) + (3).to_bytes(8, "big") + b"abc"

    assert reader._messages() == [b"abc"]


def test_the_other_end_closing_ends_the_reader_and_drops_a_message_cut_short(
    pipe: tuple[Connection, Connection],
) -> None:
    parent, child = pipe
    child.send_bytes(b"whole")
    # A sender dying in the middle of a message: its header promises more than came.
    os.write(child.fileno(), (100).to_bytes(4, "big") + b"only part")
    child.close()
    reader = FrameReader(parent.fileno())

    received: list[bytes] = []
    while not reader.closed:
        received += reader.read()

    assert received == [b"whole"]


def test_broken_framing_is_an_error_and_ends_the_reader(
    pipe: tuple[Connection, Connection],
) -> None:
    parent, child = pipe
    os.write(child.fileno(), (-7).to_bytes(4, "big", signed=True) + b"junk")
    reader = FrameReader(parent.fileno())

    with pytest.raises(ValueError, match="length -7"):
        reader.read()
    assert reader.closed


def test_a_slot_takes_a_batch_s_outcomes_with_one_read_of_its_pipe(
    pipe: tuple[Connection, Connection], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before frames.py, each outcome cost two reads and a poll of the pipe.
    parent, child = pipe
    slot = ProcessSlot(Inbox(), None)
    slot._attach(parent)
    outcomes = [Outcome(task_id=uuid4(), attempt=1, succeeded=True) for _ in range(8)]
    for outcome in outcomes:
        child.send_bytes(outcome.encode())
    calls: list[str] = []
    real_read = os.read

    def counted(fd: int, size: int) -> bytes:
        calls.append("read")
        return real_read(fd, size)

    real_poll = Connection.poll

    def counted_poll(self: Connection, timeout: float | None = 0.0) -> bool:
        calls.append("poll")
        return real_poll(self, timeout)

    monkeypatch.setattr(os, "read", counted)
    monkeypatch.setattr(Connection, "poll", counted_poll)

    events = slot._read()

    assert [e.outcome for e in events if isinstance(e, Finished)] == outcomes
    assert calls == ["read"]
