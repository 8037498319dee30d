"""Reading SCHEDULER["SCHEDULES"]: keys map onto schedule fields; typos are refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from scheduler_core.domain import CatchUp
from scheduler_core.schedules.declared import declared_schedules, definition_hash


def test_settings_keys_become_schedule_fields() -> None:
    [schedule] = declared_schedules(
        {"tick": {"task": "app.t", "interval": 30, "catch_up": "all", "catch_up_limit": 4}}
    ).values()
    assert (schedule.name, schedule.interval_seconds, schedule.catch_up) == (
        "tick",
        30,
        CatchUp.ALL,
    )
    assert schedule.catch_up_limit == 4


def test_the_hash_follows_the_definition_not_the_key_order() -> None:
    assert definition_hash({"a": 1, "b": 2}) == definition_hash({"b": 2, "a": 1})
    assert definition_hash({"a": 1}) != definition_hash({"a": 2})


@pytest.mark.parametrize(
    "definition", [{"task": "app.t", "every": 5}, {"task": "app.t", "catch_up": "never"}]
)
def test_unknown_keys_and_policies_are_configuration_errors(definition: dict[str, object]) -> None:
    with pytest.raises(ImproperlyConfigured):
        declared_schedules({"bad": definition})


def test_without_settings_nothing_is_declared() -> None:
    assert declared_schedules() == {}
