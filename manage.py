#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    if sys.argv[1:2] == ["runworkers"]:
        # Without what only the web side uses (the admin's autodiscovery, web-only apps).
        from scheduler_core.executor.worker_apps import use_worker_apps

        use_worker_apps()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
