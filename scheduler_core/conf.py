"""settings.SCHEDULER as one typed object: every key, its type and its default, here only.

dashboard/settings.py builds the dict (from SCHEDULER_* environment variables); everything
else reads it through scheduler_conf(), which checks it once per process and keeps it. A
bad value is an ImproperlyConfigured naming its key. Keys this build does not know are
ignored, as they always were. A change of the setting (override_settings, pytest-django's
`settings` fixture) sends setting_changed, which makes the next call read it again.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from .domain import RetryPolicy
from .domain.defaults import DEFAULT_LEASE
from .domain.liveness import silence_allowed

Storage = Literal["django", "memory"]
STORAGES: tuple[Storage, ...] = ("django", "memory")
# settings.SCHEDULER["RETRY"] keys, and the RetryPolicy field each one sets.
_RETRY_SETTINGS = {
    "base_seconds": "base",
    "factor": "factor",
    "cap_seconds": "cap",
    "jitter": "jitter",
}


class StorageNotConfigured(ImproperlyConfigured, ValueError):
    """settings.SCHEDULER["STORAGE"] names no storage this build knows."""

    def __init__(self, storage: object) -> None:
        super().__init__(
            f'settings.SCHEDULER["STORAGE"] is {storage!r}; expected one of {", ".join(STORAGES)}'
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Retention:
    """SCHEDULER["RETENTION"]: days finished tasks and activity minutes are kept."""

    # Succeeded and cancelled tasks (prune_tasks --days).
    succeeded_days: int = 7
    # Failed tasks, kept longer for post-mortems (prune_tasks --failed-days).
    failed_days: int = 30
    # The per-minute activity behind the charts (prune_tasks --activity-days, the rollup).
    activity_days: int = 30


@dataclass(frozen=True, slots=True, kw_only=True)
class SchedulerConf:
    """The SCHEDULER setting, checked; the defaults apply to keys the dict leaves out."""

    # SCHEDULER["STORAGE"]: tasks in the database ("django") or in this process ("memory").
    storage: Storage = "django"
    # SCHEDULER["DATABASE"]: the DATABASES alias of the scheduler's tables.
    database: str = "default"
    # SCHEDULER["LEASE_SECONDS"]: how long a claimed task stays a worker's without a beat.
    lease: timedelta = DEFAULT_LEASE
    # SCHEDULER["RETRY"]: the workers' backoff between attempts.
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    retention: Retention = field(default_factory=Retention)
    # SCHEDULER["TASK_MODULES"]: task modules outside installed apps' `tasks` modules.
    task_modules: tuple[str, ...] = ()
    # SCHEDULER["SCHEDULES"]: name -> definition, as written (schedule_settings.py reads them).
    schedules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # SCHEDULER["SUBMIT_RATE_LIMIT"]: submits per user per window; 0 (and a left-out key)
    # turns the limit off. dashboard/settings.py sets 1000 unless the environment says else.
    submit_rate_limit: int = 0
    # SCHEDULER["SUBMIT_RATE_WINDOW"]: the limit's sliding window, in seconds (at least 1).
    submit_rate_window: int = 60
    # SCHEDULER["METRICS_TOKEN"]: the bearer token /metrics asks for; "": loopback only.
    metrics_token: str = ""
    # SCHEDULER["PREPARED_STATEMENTS"]: whether the worker's hottest PostgreSQL statements
    # (claim, outcome round) are prepared on the server (storage/prepared.py). Turn it off
    # behind a pooler that cannot keep them (PgBouncer in transaction mode before 1.21).
    prepared_statements: bool = True
    # SCHEDULER["WORKER_LEAN_START"]: whether worker processes set Django up without the
    # admin's autodiscovery and the web-only apps (executor/worker_apps.py).
    worker_lean_start: bool = True

    @property
    def stale_after(self) -> timedelta:
        """How long a silent worker counts as alive, for workers on this lease."""
        return silence_allowed(self.lease)


@functools.cache
def scheduler_conf() -> SchedulerConf:
    """settings.SCHEDULER, read and checked on the first call after a change of the setting."""
    return conf_from_mapping(getattr(settings, "SCHEDULER", {}))


@receiver(setting_changed)
def _forget_on_change(*, setting: str, **_: object) -> None:
    if setting == "SCHEDULER":
        scheduler_conf.cache_clear()


def conf_from_mapping(config: Mapping[str, Any]) -> SchedulerConf:
    """A SchedulerConf from a SCHEDULER dict; ImproperlyConfigured naming a bad key."""
    if not isinstance(config, Mapping):
        raise ImproperlyConfigured(f"settings.SCHEDULER must be a dict, not {config!r}")
    # The defaults are the dataclass's own: written once, above.
    default = SchedulerConf()
    storage = config.get("STORAGE", default.storage)
    if storage not in STORAGES:
        raise StorageNotConfigured(storage)
    return SchedulerConf(
        storage=cast(Storage, storage),
        database=_text(config, "DATABASE", default.database),
        lease=timedelta(seconds=_lease_seconds(config, default.lease)),
        retry=retry_policy_from_settings(_mapping(config, "RETRY")),
        retention=_retention(_mapping(config, "RETENTION")),
        task_modules=_modules(config),
        schedules=_schedules(config),
        # Zero or less turns the limit off.
        submit_rate_limit=_whole(config, "SUBMIT_RATE_LIMIT", default.submit_rate_limit),
        # A window under a second counts as one second.
        submit_rate_window=max(1, _whole(config, "SUBMIT_RATE_WINDOW", default.submit_rate_window)),
        # An unset token (None, "") means loopback only, as the empty default does.
        metrics_token=str(config.get("METRICS_TOKEN") or ""),
        prepared_statements=_flag(config, "PREPARED_STATEMENTS", default.prepared_statements),
        worker_lean_start=lean_start_setting(config),
    )


def lean_start_setting(config: Mapping[str, Any]) -> bool:
    """SCHEDULER["WORKER_LEAN_START"], checked; read alone before Django is set up."""
    if not isinstance(config, Mapping):
        raise ImproperlyConfigured(f"settings.SCHEDULER must be a dict, not {config!r}")
    return _flag(config, "WORKER_LEAN_START", True)


def retry_policy_from_settings(config: Mapping[str, Any]) -> RetryPolicy:
    """A RetryPolicy from settings.SCHEDULER["RETRY"]; defaults for keys left out."""
    unknown = sorted(set(config) - set(_RETRY_SETTINGS))
    if unknown:
        raise ImproperlyConfigured(
            f'settings.SCHEDULER["RETRY"] has unknown keys {unknown}; '
            f"expected some of {sorted(_RETRY_SETTINGS)}"
        )
    try:
        fields: dict[str, Any] = {}
        for key, name in _RETRY_SETTINGS.items():
            if key in config:
                value = config[key]
                fields[name] = timedelta(seconds=value) if key.endswith("_seconds") else value
        return RetryPolicy(**fields)
    except (TypeError, ValueError) as error:
        raise ImproperlyConfigured(f'settings.SCHEDULER["RETRY"]: {error}') from error


def _retention(config: Mapping[str, Any]) -> Retention:
    # Other keys in the dict are ignored, as prune_tasks always did. The field of each key
    # is its name in lower case (SUCCEEDED_DAYS -> succeeded_days), its default the field's.
    default = Retention()
    days: dict[str, int] = {}
    for name in ("succeeded_days", "failed_days", "activity_days"):
        key = name.upper()
        days[name] = _whole(config, key, getattr(default, name), within="RETENTION")
        if days[name] < 0:
            raise ImproperlyConfigured(
                f'settings.SCHEDULER["RETENTION"]["{key}"] is {days[name]}; '
                "days must not be negative"
            )
    return Retention(**days)


def _lease_seconds(config: Mapping[str, Any], default: timedelta) -> float:
    seconds = config.get("LEASE_SECONDS", default.total_seconds())
    if not isinstance(seconds, int | float) or not seconds > 0:
        raise ImproperlyConfigured(
            f'settings.SCHEDULER["LEASE_SECONDS"] is {seconds!r}; expected seconds above zero'
        )
    return float(seconds)


def _modules(config: Mapping[str, Any]) -> tuple[str, ...]:
    modules = config.get("TASK_MODULES", [])
    if not isinstance(modules, list | tuple) or not all(isinstance(name, str) for name in modules):
        raise ImproperlyConfigured(
            f'settings.SCHEDULER["TASK_MODULES"] is {modules!r}; expected a list of module names'
        )
    return tuple(modules)


def _schedules(config: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    schedules = _mapping(config, "SCHEDULES")
    for name, definition in schedules.items():
        if not isinstance(definition, Mapping):
            raise ImproperlyConfigured(
                f'settings.SCHEDULER["SCHEDULES"][{name!r}] is {definition!r}; expected a dict'
            )
    return schedules


def _mapping(config: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = config.get(key, {})
    if not isinstance(value, Mapping):
        raise ImproperlyConfigured(f'settings.SCHEDULER["{key}"] is {value!r}; expected a dict')
    return value


def _text(config: Mapping[str, Any], key: str, default: str) -> str:
    value = config.get(key, default)
    if not isinstance(value, str) or not value:
        raise ImproperlyConfigured(f'settings.SCHEDULER["{key}"] is {value!r}; expected a name')
    return value


def _flag(config: Mapping[str, Any], key: str, default: bool) -> bool:
    value = config.get(key, default)
    if not isinstance(value, bool):
        raise ImproperlyConfigured(
            f'settings.SCHEDULER["{key}"] is {value!r}; expected True or False'
        )
    return value


def _whole(config: Mapping[str, Any], key: str, default: int, *, within: str = "") -> int:
    """int() of the value, as these keys were always read (text of a number too)."""
    value = config.get(key, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        where = f'["{within}"]["{key}"]' if within else f'["{key}"]'
        raise ImproperlyConfigured(
            f"settings.SCHEDULER{where} is {value!r}; expected a whole number"
        ) from None
