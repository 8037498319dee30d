"""`manage.py sync_schedules`: settings schedules reach the database; operators' edits stay."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from pytest_django import Settings

from scheduler_core.bootstrap import reset_services
from scheduler_core.models import ScheduleRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_services() -> Iterator[None]:
    reset_services()
    yield
    reset_services()


def declare(settings: Settings, **definition: Any) -> None:
    schedule = {"task": "demo.tasks.add", "cron": "@daily", "args": [1, 2], **definition}
    settings.SCHEDULER = {**settings.SCHEDULER, "SCHEDULES": {"daily-add": schedule}}


def sync() -> str:
    out = StringIO()
    call_command("sync_schedules", stdout=out)
    return out.getvalue()


def test_sync_creates_then_leaves_an_operator_disabled_schedule_alone(
    settings: Settings,
) -> None:
    declare(settings)
    assert "created: daily-add" in sync()
    ScheduleRecord.objects.filter(name="daily-add").update(enabled=False)
    assert "unchanged: daily-add" in sync()
    declare(settings, cron="@hourly")
    assert "updated: daily-add" in sync()
    record = ScheduleRecord.objects.get(name="daily-add")
    assert (record.cron, record.enabled) == ("@hourly", False)


def test_an_invalid_declaration_stops_the_command(settings: Settings) -> None:
    declare(settings, timezone="Nowhere/Special")
    with pytest.raises(CommandError, match="timezone"):
        sync()
    assert not ScheduleRecord.objects.exists()
