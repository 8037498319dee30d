"""The schedule form: Django parses the fields, the schedule service judges the schedule.

Every rule about schedules lives in the domain and the service (ScheduleService.validate),
so the form shows the same messages the JSON API returns, each next to its field.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from zoneinfo import available_timezones

from django import forms

from scheduler_core.domain import CatchUp, Schedule, ScheduleInvalid
from scheduler_core.domain.defaults import MAX_QUEUE_LENGTH
from scheduler_core.domain.schedule import DEFAULT_CATCH_UP_LIMIT
from scheduler_core.services import ScheduleService
from scheduler_core.web.json_input import parse_json

CATCH_UP_LABELS = {
    CatchUp.SKIP: "Skip missed runs",
    CatchUp.ONCE: "Run once for all missed runs",
    CatchUp.ALL: "Run each missed run, up to the limit",
}
ARGUMENT_ROWS = 3
# The fields that make up the timing: any change to one of them refreshes the preview.
TIMING_FIELDS = ("cron", "interval_seconds", "timezone")
TIME_ZONE_LIST_ID = "time-zones"
PREVIEW_TARGET = "#timing-preview"
# "input" rather than "keyup": pasting with the mouse and autofill change the value too.
TYPING = "input changed delay:400ms"


def time_zone_names() -> list[str]:
    """Every IANA zone name this Python knows, for the time zone suggestions."""
    return sorted(available_timezones())


class RegisteredTaskField(forms.ChoiceField):
    """A select of the registered tasks; the service, not the choice list, judges the value.

    A value outside the list (a task unregistered since, or a forged post) gets the
    service's "is not a registered task" message, the one the API gives.
    """

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)


def _json_field(label: str, initial: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        initial=initial,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": ARGUMENT_ROWS, "spellcheck": "false"}),
    )


class ScheduleForm(forms.Form):
    """A new schedule, or the changes to a stored one (whose name then stays fixed)."""

    name = forms.CharField(
        max_length=200,
        help_text="Letters, digits, '_', '.', ':' or '-'. Fixed once created.",
    )
    task = RegisteredTaskField(label="Task")
    args = _json_field("Arguments", "[]", 'A JSON list, e.g. [1, "two"]')
    kwargs = _json_field("Keyword arguments", "{}", 'A JSON object, e.g. {"format": "pdf"}')
    cron = forms.CharField(
        label="Cron expression",
        required=False,
        max_length=200,
        help_text="5 fields (minute hour day-of-month month day-of-week) or @hourly, @daily, "
        "@weekly, @monthly, @yearly. Leave empty to use an interval.",
    )
    interval_seconds = forms.IntegerField(
        label="Interval (seconds)",
        required=False,
        help_text="Instead of a cron expression: fire every this many seconds.",
    )
    timezone = forms.CharField(
        label="Time zone",
        max_length=100,
        initial="UTC",
        help_text="An IANA name such as Europe/Berlin; cron runs in its local time.",
    )
    enabled = forms.BooleanField(label="Enabled", required=False, initial=True)
    catch_up = forms.ChoiceField(
        label="After downtime",
        choices=[(policy.value, label) for policy, label in CATCH_UP_LABELS.items()],
        initial=CatchUp.SKIP.value,
    )
    catch_up_limit = forms.IntegerField(
        label="Catch-up limit",
        required=False,
        initial=DEFAULT_CATCH_UP_LIMIT,
        help_text="With 'run each': the most missed runs fired at once (1 to 1000).",
    )
    queue = forms.CharField(label="Queue", required=False, max_length=MAX_QUEUE_LENGTH)
    priority = forms.IntegerField(label="Priority", required=False, help_text="-100 to 100")
    max_attempts = forms.IntegerField(label="Max attempts", required=False)

    def __init__(
        self,
        *args: Any,
        service: ScheduleService,
        task_names: list[str],
        preview_url: str,
        stored: Schedule | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._service = service
        self._stored = stored
        self._preview_live(preview_url)
        names = list(task_names)
        if stored is not None and stored.task not in names:
            # Keep the stored choice visible, so the service can say what is wrong with it.
            names.append(stored.task)
        task_field = self.fields["task"]
        assert isinstance(task_field, forms.ChoiceField)
        task_field.choices = [("", "— choose a task —"), *((name, name) for name in names)]
        if stored is not None:
            # The name keys the schedule and every task it fired, so it never changes.
            self.fields["name"].disabled = True

    def _preview_live(self, url: str) -> None:
        """Have htmx fetch the timing preview while the operator types (no inline script)."""
        include = ",".join(f"[name={name}]" for name in TIMING_FIELDS)
        triggers = {
            "cron": TYPING,
            "interval_seconds": f"{TYPING}, change",
            "timezone": f"change, {TYPING}",
        }
        for name, trigger in triggers.items():
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": url,
                    "hx-trigger": trigger,
                    "hx-target": PREVIEW_TARGET,
                    "hx-include": include,
                    # A newer keystroke's request replaces one still on its way.
                    "hx-sync": "closest form:replace",
                }
            )
        self.fields["timezone"].widget.attrs["list"] = TIME_ZONE_LIST_ID
        self.fields["cron"].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})

    def clean_args(self) -> list[Any]:
        parsed: list[Any] = parse_json(self.cleaned_data["args"], "args", list)
        return parsed

    def clean_kwargs(self) -> dict[str, Any]:
        parsed: dict[str, Any] = parse_json(self.cleaned_data["kwargs"], "kwargs", dict)
        return parsed

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self._service.validate(self.schedule())
        except ScheduleInvalid as error:
            self.add_service_error(error)
        return data

    def add_service_error(self, error: ScheduleInvalid) -> None:
        """Show the service's message on the field at fault (on the form if none fits)."""
        # "kwargs.when" and "args[0]" belong to the kwargs and args fields.
        field = error.field.split(".")[0].split("[")[0]
        target = field if field in self.fields and field not in self.errors else None
        message = error.message if target is not None else f"{error.field}: {error.message}"
        self.add_error(target, message)

    def schedule(self) -> Schedule:
        """The schedule the cleaned fields describe (a stored one keeps its name and runs)."""
        data = self.cleaned_data
        fields: dict[str, Any] = {
            "task": data["task"],
            "args": data["args"],
            "kwargs": data["kwargs"],
            "cron": data["cron"] or None,
            "interval_seconds": data["interval_seconds"],
            "timezone": data["timezone"],
            "enabled": data["enabled"],
            "catch_up": CatchUp(data["catch_up"]),
            "catch_up_limit": (
                DEFAULT_CATCH_UP_LIMIT if data["catch_up_limit"] is None else data["catch_up_limit"]
            ),
            "queue": data["queue"] or None,
            "priority": data["priority"],
            "max_attempts": data["max_attempts"],
        }
        if self._stored is not None:
            return replace(self._stored, **fields)
        return Schedule(name=data["name"], **fields)


def initial_for(schedule: Schedule) -> dict[str, Any]:
    """The form's initial values for a stored schedule."""
    return {
        "name": schedule.name,
        "task": schedule.task,
        "args": json.dumps(schedule.args, ensure_ascii=False),
        "kwargs": json.dumps(schedule.kwargs, ensure_ascii=False),
        "cron": schedule.cron or "",
        "interval_seconds": schedule.interval_seconds,
        "timezone": schedule.timezone,
        "enabled": schedule.enabled,
        "catch_up": schedule.catch_up.value,
        "catch_up_limit": schedule.catch_up_limit,
        "queue": schedule.queue or "",
        "priority": schedule.priority,
        "max_attempts": schedule.max_attempts,
    }
