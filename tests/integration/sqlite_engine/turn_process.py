"""A process for the SQLite write-turn tests: writes, or holds the turn or a transaction.

Run as `python -m tests.integration.sqlite_engine.turn_process MODE` with DATABASE_URL naming a
SQLite file. Modes:
  write [N]        N write transactions (1); prints "wrote <seconds they took>"
  take             takes the turn alone; prints "took <True|False> <seconds>"
  hold-write       opens a write transaction, prints "holding", commits on a line of stdin
  hold-turn        takes the turn alone, prints "holding", gives it back on a line of stdin
  hold-turn-child  as hold-turn, forking a child that sleeps on once it holds (prints its pid)
"""

from __future__ import annotations

import os
import sys
import time


def main() -> None:
    """Do what the mode says."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from scheduler_core.sqlite_engine.write_turn import write_turn

    mode = sys.argv[1]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS turn_probe (n INTEGER)")
    turn = write_turn(str(connection.settings_dict["NAME"]))
    started = time.monotonic()
    if mode == "write":
        for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 1):
            with transaction.atomic():
                connection.cursor().execute("INSERT INTO turn_probe VALUES (1)")
        print(f"wrote {time.monotonic() - started:.3f}", flush=True)
    elif mode == "take":
        took = turn.take()
        print(f"took {took} {time.monotonic() - started:.3f}", flush=True)
    elif mode == "hold-write":
        with transaction.atomic():
            connection.cursor().execute("INSERT INTO turn_probe VALUES (2)")
            print("holding", flush=True)
            sys.stdin.readline()
    elif mode in {"hold-turn", "hold-turn-child"}:
        assert turn.take()
        if mode == "hold-turn-child":
            # Forked while the turn is held: the child inherits the lock file's descriptor.
            child = os.fork()
            if child == 0:
                time.sleep(60)
                os._exit(0)
            print(f"child {child}", flush=True)
        print("holding", flush=True)
        sys.stdin.readline()
        turn.give_back()
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
