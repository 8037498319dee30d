"""Reading a slot's messages off its pipe in as few system calls as the pipe allows.

A process slot sends each outcome as one message of multiprocessing's framing (a 4-byte
length, then the bytes). `Connection.recv_bytes` reads one message with two reads, and the
main loop then asked the pipe whether another waited: three system calls per outcome, and
with batches a slot sends several outcomes per wake-up of the main loop (a drain of
no-ops made two reads and a poll per task in the supervisor; strace, round 17). Here one
read takes whatever the pipe holds, and the messages are cut out of it; a message split
between two reads waits in the buffer for its end.
"""

from __future__ import annotations

import os

# Bytes one read takes at most; a pipe holds 64 KiB by default.
CHUNK = 1 << 16
# multiprocessing's framing: a signed 32-bit big-endian length; -1 means a 64-bit length
# follows (a message of 2 GiB or more).
_SHORT = 4
_LONG = 8


class FrameReader:
    """The messages of a multiprocessing Connection's other end, read from its descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buffer = bytearray()
        # True once the other end closed (or the descriptor failed): nothing more will come.
        self.closed = False

    def read(self) -> list[bytes]:
        """One read of what the pipe holds now (call it when it is readable: it blocks
        otherwise); return the whole messages it completes, in order. ValueError if the
        framing is broken: nothing after that can be read."""
        try:
            chunk = os.read(self.fd, CHUNK)
        except OSError:
            chunk = b""
        if not chunk:
            # A message cut short by the sender's death is dropped, as recv_bytes would.
            self.closed = True
            return []
        self._buffer += chunk
        return self._messages()

    def _messages(self) -> list[bytes]:
        buffer = self._buffer
        messages: list[bytes] = []
        start = 0
        while True:
            body = start + _SHORT
            if len(buffer) < body:
                break
            size = int.from_bytes(buffer[start:body], "big", signed=True)
            if size == -1:
                if len(buffer) < body + _LONG:
                    break
                size = int.from_bytes(buffer[body : body + _LONG], "big")
                body += _LONG
            elif size < 0:
                self.closed = True
                raise ValueError(f"a message framed with the length {size}")
            end = body + size
            if len(buffer) < end:
                break
            messages.append(bytes(buffer[body:end]))
            start = end
        if start:
            del buffer[:start]
        return messages
