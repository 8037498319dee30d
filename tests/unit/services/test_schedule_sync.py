"""Syncing code-declared schedules: create missing, update changed code, keep operators' edits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from scheduler_core.domain import ScheduleInvalid
from scheduler_core.memory import InMemoryScheduleRepository, ManualClock
from scheduler_core.schedules.declared import declared_schedules
from scheduler_core.services import ScheduleService

from .conftest import T0


def declared(**definition: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"task": "app.send_email", "cron": "0 6 * * *"}
    return {"digest": {**base, **definition}}


def test_a_missing_schedule_is_created_from_settings(
    schedule_service: ScheduleService, schedules: InMemoryScheduleRepository
) -> None:
    report = schedule_service.sync(declared_schedules(declared(timezone="Europe/Berlin", args=[1])))
    assert report.created == ["digest"]
    stored = schedules.get("digest")
    assert (stored.task, stored.cron, stored.timezone, stored.args) == (
        "app.send_email",
        "0 6 * * *",
        "Europe/Berlin",
        [1],
    )
    # 06:00 in Berlin in March (CET) is 05:00 UTC, and T0 is 12:00 UTC on 1 March.
    assert stored.next_run_at == T0.replace(day=2, hour=5)
    assert stored.code_hash


def test_unchanged_code_keeps_what_the_operator_changed(
    schedule_service: ScheduleService, schedules: InMemoryScheduleRepository
) -> None:
    schedule_service.sync(declared_schedules(declared()))
    edited = schedules.get("digest")
    edited.enabled = False
    edited.args = ["by operator"]
    schedules.save(edited)
    report = schedule_service.sync(declared_schedules(declared()))
    assert report.unchanged == ["digest"]
    stored = schedules.get("digest")
    assert (stored.enabled, stored.args) == (False, ["by operator"])


def test_changed_code_updates_the_definition_but_never_re_enables(
    schedule_service: ScheduleService, schedules: InMemoryScheduleRepository, clock: ManualClock
) -> None:
    schedule_service.sync(declared_schedules(declared()))
    paused = schedules.get("digest")
    paused.enabled = False
    schedules.save(paused)
    clock.advance(timedelta(minutes=5))
    report = schedule_service.sync(declared_schedules(declared(cron=None, interval=600, args=[2])))
    assert report.updated == ["digest"]
    stored = schedules.get("digest")
    assert (stored.cron, stored.interval_seconds, stored.args) == (None, 600, [2])
    assert stored.enabled is False
    # A new timing starts from now, not from the old cron's next run.
    assert stored.next_run_at == T0 + timedelta(minutes=15)


def test_an_invalid_declaration_raises_a_field_error_and_stores_nothing(
    schedule_service: ScheduleService, schedules: InMemoryScheduleRepository
) -> None:
    good = declared()["digest"]
    both = {"a-good": good, "z-bad": {**good, "cron": "61 * * * *"}}
    with pytest.raises(ScheduleInvalid) as raised:
        schedule_service.sync(declared_schedules(both))
    assert raised.value.field == "cron"
    assert "'z-bad'" in raised.value.message
    # The valid one sorts first, and still was not stored.
    assert schedules.all() == []


def test_next_runs_lists_five_upcoming_times(schedule_service: ScheduleService) -> None:
    created = schedule_service.create(declared_schedules(declared(cron="@hourly"))["digest"])
    runs = schedule_service.next_runs(created)
    assert runs == [T0 + timedelta(hours=n) for n in range(1, 6)]


def test_nothing_declared_reads_nothing(
    schedule_service: ScheduleService,
    schedules: InMemoryScheduleRepository,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A worker without declared schedules syncs at every start: no round trip for nothing.
    def unread() -> list[Any]:
        raise AssertionError("the stored schedules were read")

    monkeypatch.setattr(schedules, "all", unread)

    report = schedule_service.sync({})

    assert (report.created, report.updated, report.unchanged) == ([], [], [])
