"""Creating, changing and deleting schedules in the dashboard: admins only, no bad saves."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from scheduler_core.bootstrap import Services
from scheduler_core.domain import CatchUp, Schedule, ScheduleNotFound
from scheduler_core.models import AuditEntry

from .conftest import FORM, XSS, stored_schedule

NEW = reverse("dashboard:schedules:new")


def edit(name: str) -> str:
    return reverse("dashboard:schedules:edit", args=[name])


def delete(name: str) -> str:
    return reverse("dashboard:schedules:delete", args=[name])


def names(services: Services) -> list[str]:
    return [schedule.name for schedule in services.schedules.all()]


def test_the_new_form_lists_registered_tasks_and_previews_live(admin: Client) -> None:
    page = admin.get(NEW).content.decode()

    assert '<option value="demo.tasks.add">' in page
    assert 'hx-get="' + reverse("dashboard:schedules:preview") + '"' in page
    assert 'hx-trigger="input changed delay:400ms"' in page
    assert 'hx-trigger="change, input changed delay:400ms"' in page
    assert '<option value="Europe/Berlin">' in page


def test_create_stores_the_schedule_and_audits_it(admin: Client, services: Services) -> None:
    response = admin.post(
        NEW,
        {
            **FORM,
            "kwargs": '{"b": 2}',
            "args": "[1]",
            "catch_up": "all",
            "catch_up_limit": "3",
            "queue": "reports",
            "priority": "5",
            "max_attempts": "2",
        },
    )

    assert response.status_code == 303
    assert response["Location"] == reverse("dashboard:schedules:detail", args=["nightly"])
    stored = services.schedules.get("nightly")
    assert (stored.task, stored.args, stored.kwargs) == ("demo.tasks.add", [1], {"b": 2})
    assert (stored.cron, stored.timezone, stored.enabled) == ("0 3 * * *", "Europe/Berlin", True)
    assert (stored.catch_up, stored.catch_up_limit) == (CatchUp.ALL, 3)
    assert (stored.queue, stored.priority, stored.max_attempts) == ("reports", 5, 2)
    assert stored.next_run_at is not None
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target, entry.source) == ("create_schedule", "nightly", "dashboard")


def test_an_interval_schedule_and_blank_options_store_the_defaults(
    admin: Client, services: Services
) -> None:
    admin.post(NEW, {**FORM, "cron": "", "interval_seconds": "90", "enabled": ""})

    stored = services.schedules.get("nightly")
    assert (stored.cron, stored.interval_seconds, stored.enabled) == (None, 90, False)
    assert (stored.queue, stored.priority, stored.max_attempts) == (None, None, None)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"cron": "61 * * * *"}, "cron", "not a valid cron expression"),
        ({"cron": "* * *"}, "cron", "has 3 fields; cron needs 5"),
        ({"timezone": "Mars/Olympus"}, "timezone", "is not a known time zone"),
        ({"cron": "", "interval_seconds": "0"}, "interval_seconds", "outside 1.."),
        ({"cron": "", "interval_seconds": "-5"}, "interval_seconds", "outside 1.."),
        ({"task": "no.such.task"}, "task", "is not a registered task"),
        ({"interval_seconds": "60"}, "cron", "not both"),
        ({"cron": ""}, "cron", "not both"),
        ({"name": "bad name!"}, "name", "letters, digits"),
        ({"args": "{not json"}, "args", "Not valid JSON"),
        ({"args": '{"a": 1}'}, "args", "Must be a JSON array"),
        ({"kwargs": "[1]"}, "kwargs", "Must be a JSON object"),
        # demo.tasks.add takes two numbers: arity and annotated types are checked (issue 17).
        ({"args": "[1, 2, 3]", "kwargs": "{}"}, "args", "the arguments do not fit"),
        ({"args": '["two"]', "kwargs": '{"b": 2}'}, "args", "must be a number for parameter 'a'"),
        ({"priority": "500"}, "priority", "outside -100..100"),
        ({"catch_up_limit": "0"}, "catch_up_limit", "1..1000"),
        ({"queue": "no spaces"}, "queue", "letters, digits"),
    ],
)
def test_bad_input_shows_the_error_on_its_field_and_saves_nothing(
    admin: Client, services: Services, change: dict[str, str], field: str, message: str
) -> None:
    response = admin.post(NEW, {**FORM, **change})

    assert response.status_code == 422
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert names(services) == []
    assert AuditEntry.objects.count() == 0
    # What was typed is still there to correct.
    for value in change.values():
        if value:
            assert value.replace('"', "&quot;") in response.content.decode()


def test_a_taken_name_is_a_field_error(admin: Client, services: Services) -> None:
    stored_schedule(services, cron="0 1 * * *")

    response = admin.post(NEW, FORM)

    assert response.status_code == 422
    assert "name" in response.context["form"].errors
    assert services.schedules.get("nightly").cron == "0 1 * * *"


def test_the_edit_form_shows_the_stored_values(admin: Client, nightly: Schedule) -> None:
    page = admin.get(edit("nightly")).content.decode()

    assert 'value="0 3 * * *"' in page
    assert 'value="Europe/Berlin"' in page
    assert "[1, 2]" in page
    # The stored timing is previewed from the start: in words, and its next five runs.
    assert "At 03:00" in page
    assert page.count("03:00:00 CE") == 5


def test_edit_changes_the_schedule_but_never_its_name(admin: Client, services: Services) -> None:
    stored_schedule(services, code_hash="abc")

    response = admin.post(
        edit("nightly"), {**FORM, "name": "renamed", "cron": "*/5 * * * *", "args": "[7, 8]"}
    )

    assert response.status_code == 303
    assert names(services) == ["nightly"]
    stored = services.schedules.get("nightly")
    assert (stored.cron, stored.args, stored.code_hash) == ("*/5 * * * *", [7, 8], "abc")
    assert AuditEntry.objects.get().action == "change_schedule"


def test_a_bad_edit_saves_nothing(admin: Client, services: Services, nightly: Schedule) -> None:
    response = admin.post(edit("nightly"), {**FORM, "cron": "61 * * * *", "args": "[9]"})

    assert response.status_code == 422
    assert "cron" in response.context["form"].errors
    assert "Cron expression: &#x27;61 * * * *&#x27; is not a valid" in response.content.decode()
    stored = services.schedules.get("nightly")
    assert (stored.cron, stored.args) == ("0 3 * * *", [1, 2])


def test_edit_of_an_unknown_schedule_is_404(admin: Client, services: Services) -> None:
    assert admin.get(edit("nope")).status_code == 404
    assert admin.post(edit("nope"), FORM).status_code == 404


def test_delete_asks_first_then_deletes_on_post(
    admin: Client, services: Services, nightly: Schedule
) -> None:
    confirm = admin.get(delete("nightly"))

    assert confirm.status_code == 200
    assert "Delete schedule nightly?" in confirm.content.decode()
    assert names(services) == ["nightly"]

    response = admin.post(delete("nightly"))

    assert response.status_code == 303
    assert response["Location"] == reverse("dashboard:schedules:list")
    with pytest.raises(ScheduleNotFound):
        services.schedules.get("nightly")
    assert AuditEntry.objects.get().action == "delete_schedule"


def test_deleting_an_unknown_schedule_is_404(admin: Client, services: Services) -> None:
    assert admin.post(delete("nope")).status_code == 404


@pytest.mark.parametrize("payload", XSS)
def test_typed_values_and_errors_render_escaped(
    admin: Client, services: Services, payload: str
) -> None:
    response = admin.post(
        NEW, {**FORM, "name": payload, "cron": payload, "args": f"[{payload!r}]", "queue": payload}
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert payload not in page
    assert "&lt;" in page


def test_the_preview_describes_the_timing_and_lists_five_runs(admin: Client) -> None:
    response = admin.get(
        reverse("dashboard:schedules:preview"),
        {"cron": "0 6 * * 1-5", "interval_seconds": "", "timezone": "Europe/Berlin"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "At 06:00, Monday through Friday" in body
    assert body.count("06:00:00 CE") == 5
    assert "<html" not in body


def test_the_preview_of_an_interval(admin: Client) -> None:
    body = admin.get(
        reverse("dashboard:schedules:preview"),
        {"cron": "", "interval_seconds": "7200", "timezone": "UTC"},
    ).content.decode()

    assert "Every 2 hours" in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"cron": "61 * * * *", "timezone": "UTC"}, "Cron expression: "),
        ({"cron": "* * *", "timezone": "UTC"}, "has 3 fields"),
        ({"cron": "@daily", "timezone": "Mars/Olympus"}, "Time zone: "),
        ({"interval_seconds": "0", "timezone": "UTC"}, "Interval (seconds): "),
        ({"interval_seconds": "soon", "timezone": "UTC"}, "enter a whole number"),
        ({"timezone": "UTC"}, "not both"),
    ],
)
def test_the_preview_shows_the_error(admin: Client, query: dict[str, str], message: str) -> None:
    body = admin.get(reverse("dashboard:schedules:preview"), query).content.decode()

    assert 'role="alert"' in body
    assert message in body


def test_the_preview_escapes_what_was_typed(admin: Client) -> None:
    body = admin.get(
        reverse("dashboard:schedules:preview"), {"cron": XSS[0], "timezone": XSS[1]}
    ).content.decode()

    assert XSS[0] not in body and XSS[1] not in body
