"""The counter SQL frozen into the newest counters migration is what the live modules make.

Migration 0008 installs a frozen copy of the trigger SQL, so that editing
scheduler_core/storage/counters/ never changes what a fresh `migrate` installs. These
tests fail once the live SQL differs from the newest frozen copy: the change needs a new
migration that installs it (and freezes its own copy, to be named below).
"""

from __future__ import annotations

from types import ModuleType

import pytest

from scheduler_core.migrations import _0008_counters_sql as newest
from scheduler_core.storage.counters import postgres, sqlite

CHANGED = (
    "the live counter SQL differs from what the migrations install: add a migration that "
    "installs it from a frozen copy, and compare with that copy here"
)


@pytest.mark.parametrize(("vendor", "live"), [("postgresql", postgres), ("sqlite", sqlite)])
def test_the_newest_counters_migration_installs_the_live_sql(vendor: str, live: ModuleType) -> None:
    assert sorted(newest.BY_VENDOR) == ["postgresql", "sqlite"]
    frozen = newest.BY_VENDOR[vendor]

    assert list(frozen.drop) == live.DROP, CHANGED
    assert list(frozen.triggers) == live.TRIGGERS, CHANGED
    assert list(frozen.rebuild) == live.REBUILD, CHANGED
