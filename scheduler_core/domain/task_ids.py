"""Task ids that sort in the order their tasks were created (UUID version 7, RFC 9562).

Lists are newest first by enqueue time, ties broken by id. Two tasks enqueued in the same
clock tick (a millisecond on SQLite) used to fall in the order of random uuid4 ids, so a
page could show the later of two submits second. A version 7 id begins with the creation
time in milliseconds and, within one process, counts up inside a millisecond (method 1 of
RFC 9562, section 6.2), so the tie-break follows the order of creation. Ids made by two
processes in the same millisecond still tie-break at random: neither came first.
"""

from __future__ import annotations

import secrets
import threading
import time
from uuid import UUID

_VERSION = 7
# 74 bits follow the timestamp: 12 of rand_a and 62 of rand_b, with 6 version and
# variant bits between and around them.
_COUNTER_BITS = 74
# A fresh millisecond starts the counter in the lower half, leaving 2**73 steps of room.
_SEED_BITS = _COUNTER_BITS - 1

_lock = threading.Lock()
_last_ms = 0
_last_counter = 0


def new_task_id() -> UUID:
    """A version 7 UUID greater than every earlier one this process made."""
    global _last_ms, _last_counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            counter = secrets.randbits(_SEED_BITS)
        else:
            # Same millisecond, or the clock stepped back: stay on the last one and count.
            ms = _last_ms
            counter = _last_counter + 1 + secrets.randbits(16)
            if counter >> _COUNTER_BITS:
                ms, counter = ms + 1, secrets.randbits(_SEED_BITS)
        _last_ms, _last_counter = ms, counter
    return _assemble(ms, counter)


def _assemble(ms: int, counter: int) -> UUID:
    rand_a = counter >> 62
    rand_b = counter & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | _VERSION << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return UUID(int=value)
