"""settings.SCHEDULER read into one typed object: defaults, checks naming the key, re-reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_django import Settings

from scheduler_core.conf import (
    Retention,
    SchedulerConf,
    StorageNotConfigured,
    conf_from_mapping,
    scheduler_conf,
)
from scheduler_core.domain import RetryPolicy


def test_an_empty_dict_gives_every_default() -> None:
    assert conf_from_mapping({}) == SchedulerConf(
        storage="django",
        database="default",
        lease=timedelta(seconds=60),
        retry=RetryPolicy(),
        retention=Retention(succeeded_days=7, failed_days=30, activity_days=30),
        task_modules=(),
        schedules={},
        submit_rate_limit=0,
        submit_rate_window=60,
        metrics_token="",
    )


def test_values_are_read_as_before() -> None:
    conf = conf_from_mapping(
        {
            "STORAGE": "memory",
            "DATABASE": "postgres",
            "LEASE_SECONDS": 30,
            "RETRY": {"base_seconds": 2, "jitter": 0},
            "RETENTION": {"FAILED_DAYS": "60", "OTHER": 1},
            "TASK_MODULES": ["jobs.nightly"],
            "SUBMIT_RATE_LIMIT": "5",
            "SUBMIT_RATE_WINDOW": 0,
            "METRICS_TOKEN": None,
            # A key this build does not know is left alone, as it always was.
            "TASK_NAMES": ["app.send_email"],
        }
    )

    assert (conf.storage, conf.database) == ("memory", "postgres")
    assert conf.lease == timedelta(seconds=30)
    assert conf.stale_after == timedelta(seconds=40)
    assert conf.retry == RetryPolicy(base=timedelta(seconds=2), jitter=0)
    assert conf.retention == Retention(failed_days=60)
    assert conf.task_modules == ("jobs.nightly",)
    assert (conf.submit_rate_limit, conf.submit_rate_window) == (5, 1)
    assert conf.metrics_token == ""
    assert conf.worker_lean_start is True


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"LEASE_SECONDS": 0}, '["LEASE_SECONDS"]'),
        ({"LEASE_SECONDS": "60"}, '["LEASE_SECONDS"]'),
        ({"DATABASE": ""}, '["DATABASE"]'),
        ({"RETRY": {"factor": 0.5}}, '["RETRY"]'),
        ({"RETRY": {"base_seconds": "soon"}}, '["RETRY"]'),
        ({"RETRY": []}, '["RETRY"]'),
        ({"RETENTION": {"FAILED_DAYS": -1}}, '["RETENTION"]["FAILED_DAYS"]'),
        ({"RETENTION": {"SUCCEEDED_DAYS": "a week"}}, '["RETENTION"]["SUCCEEDED_DAYS"]'),
        ({"TASK_MODULES": "jobs.nightly"}, '["TASK_MODULES"]'),
        ({"SCHEDULES": {"nightly": "0 6 * * *"}}, "[\"SCHEDULES\"]['nightly']"),
        ({"SUBMIT_RATE_LIMIT": "many"}, '["SUBMIT_RATE_LIMIT"]'),
        ({"WORKER_LEAN_START": "0"}, '["WORKER_LEAN_START"]'),
    ],
)
def test_a_bad_value_is_improperly_configured_naming_its_key(
    config: dict[str, Any], named: str
) -> None:
    with pytest.raises(ImproperlyConfigured) as raised:
        conf_from_mapping(config)

    assert f"settings.SCHEDULER{named}" in str(raised.value)


def test_an_unknown_storage_is_a_storage_error() -> None:
    with pytest.raises(StorageNotConfigured, match=r'SCHEDULER\["STORAGE"\] is \'redis\''):
        conf_from_mapping({"STORAGE": "redis"})


def test_the_setting_is_read_once_and_again_after_it_changes(settings: Settings) -> None:
    settings.SCHEDULER = {**settings.SCHEDULER, "LEASE_SECONDS": 30}
    first = scheduler_conf()

    assert scheduler_conf() is first
    assert first.lease == timedelta(seconds=30)
    settings.SCHEDULER = {**settings.SCHEDULER, "LEASE_SECONDS": 90}
    assert scheduler_conf().lease == timedelta(seconds=90)
