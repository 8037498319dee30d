"""Counters kept by database triggers: the SQL per database, installing it, and reading it.

See docs/counters.md for the design and models/counters.py for the tables.
"""

from .install import install_counters, rebuild_counters, uninstall_counters

__all__ = ["install_counters", "rebuild_counters", "uninstall_counters"]
