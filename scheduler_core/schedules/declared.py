"""Schedules declared in settings.SCHEDULER["SCHEDULES"], read into domain schedules."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from scheduler_core.conf import scheduler_conf
from scheduler_core.domain import CatchUp, Schedule

# Settings keys of one schedule, and the Schedule field each one sets.
_KEYS = {
    "task": "task",
    "cron": "cron",
    "interval": "interval_seconds",
    "timezone": "timezone",
    "args": "args",
    "kwargs": "kwargs",
    "enabled": "enabled",
    "catch_up": "catch_up",
    "catch_up_limit": "catch_up_limit",
    "queue": "queue",
    "priority": "priority",
    "max_attempts": "max_attempts",
    # A workflow template: the steps each firing enqueues as a run named `task`.
    "workflow": "workflow",
}


def definition_hash(definition: Mapping[str, Any]) -> str:
    """A stable hash of one settings definition: a sync updates a schedule only when it moves."""
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def declared_schedules(config: Mapping[str, Any] | None = None) -> dict[str, Schedule]:
    """The schedules SCHEDULER["SCHEDULES"] declares (name -> definition), not yet validated."""
    if config is None:
        config = scheduler_conf().schedules
    declared: dict[str, Schedule] = {}
    for name, definition in config.items():
        unknown = sorted(set(definition) - set(_KEYS))
        if unknown:
            raise ImproperlyConfigured(
                f'settings.SCHEDULER["SCHEDULES"][{name!r}] has unknown keys {unknown}; '
                f"expected some of {sorted(_KEYS)}"
            )
        fields = {_KEYS[key]: value for key, value in definition.items()}
        if "catch_up" in fields:
            try:
                fields["catch_up"] = CatchUp(fields["catch_up"])
            except ValueError as error:
                raise ImproperlyConfigured(
                    f'settings.SCHEDULER["SCHEDULES"][{name!r}]["catch_up"]: {error}'
                ) from error
        declared[name] = Schedule(name=name, code_hash=definition_hash(definition), **fields)
    return declared
