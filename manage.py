#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

# `0` keeps a worker from saving the bytecode it compiles (see _save_worker_bytecode).
SAVE_BYTECODE_ENV = "SCHEDULER_WORKER_SAVE_BYTECODE"


def _save_worker_bytecode() -> None:
    """Let a worker save the bytecode of what it imports, PYTHONDONTWRITEBYTECODE or not.

    A worker imports about 250 of the project's modules before its first task. Where
    nothing compiled them for the Python that runs it (a container that sets
    PYTHONDONTWRITEBYTECODE and skipped `compileall`, an interpreter other than the one
    `make bytecode` used), every start compiled them all again: 0.62 s against 0.48 s
    from `runworkers` to its first task in the peer harness (docs/performance.md, round
    10). Saved once, later starts read them. Where the code's folder is read-only Python
    skips the write silently, as it always does. Before any import of the project: the
    flag only applies to modules imported after it is set.
    """
    if os.environ.get(SAVE_BYTECODE_ENV, "1").strip().lower() not in {"0", "false", "no", "off"}:
        sys.dont_write_bytecode = False


def main() -> None:
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    if sys.argv[1:2] == ["runworkers"]:
        _save_worker_bytecode()
        # Without what only the web side uses (the admin's autodiscovery, web-only apps).
        from scheduler_core.executor.worker_apps import use_worker_apps

        use_worker_apps()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
