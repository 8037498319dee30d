"""The schedule admin: the domain validates every edit, field by field; nothing bad is saved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from scheduler_core.bootstrap import reset_services
from scheduler_core.models import ScheduleRecord

ADD_URL = "/admin/scheduler_core/schedulerecord/add/"


@pytest.fixture(autouse=True)
def fresh_services() -> Iterator[None]:
    """Services built from the test settings, so they use the test database."""
    reset_services()
    yield
    reset_services()


def form(**fields: Any) -> dict[str, Any]:
    """A valid add form for a daily schedule of a demo task, `fields` overriding."""
    values: dict[str, Any] = {
        "name": "daily-add",
        "task": "demo.tasks.add",
        "cron": "0 6 * * *",
        "interval_seconds": "",
        "timezone": "Europe/Berlin",
        "enabled": "on",
        "catch_up": "skip",
        "catch_up_limit": "10",
        "args": "[1, 2]",
        "kwargs": "{}",
        "queue": "",
        "priority": "",
        "max_attempts": "",
    }
    values.update(fields)
    return values


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"cron": "61 * * * *"}, "cron", "not a valid cron"),
        ({"cron": "* * *"}, "cron", "has 3 fields"),
        ({"cron": "", "interval_seconds": "0"}, "interval_seconds", "outside 1.."),
        ({"cron": "", "interval_seconds": "-5"}, "interval_seconds", "outside 1.."),
        ({"timezone": "Mars/Base"}, "timezone", "not a known time zone"),
        ({"task": "demo.tasks.nope"}, "task", "not a registered task"),
    ],
)
def test_bad_input_shows_a_field_error_and_saves_nothing(
    admin_client: Client, fields: dict[str, Any], field: str, message: str
) -> None:
    response = admin_client.post(ADD_URL, form(**fields))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not ScheduleRecord.objects.exists()


@pytest.mark.django_db
def test_a_valid_schedule_is_saved_with_its_next_run_and_described(admin_client: Client) -> None:
    response = admin_client.post(ADD_URL, form())
    assert response.status_code == 302
    record = ScheduleRecord.objects.get(name="daily-add")
    assert record.next_run_at is not None
    assert record.args == [1, 2]
    page = admin_client.get(f"/admin/scheduler_core/schedulerecord/{record.pk}/change/")
    text = page.content.decode()
    assert "At 06:00" in text
    # Five upcoming runs, shown in the schedule's zone: 06:00 Berlin time.
    assert text.count(" 06:00:00+0") == 5


@pytest.mark.django_db
def test_disabling_keeps_the_next_run(admin_client: Client) -> None:
    admin_client.post(ADD_URL, form())
    record = ScheduleRecord.objects.get(name="daily-add")
    fields = form(enabled="")
    del fields["name"]
    url = f"/admin/scheduler_core/schedulerecord/{record.pk}/change/"
    assert admin_client.post(url, fields).status_code == 302
    changed = ScheduleRecord.objects.get(pk=record.pk)
    assert (changed.enabled, changed.next_run_at) == (False, record.next_run_at)
