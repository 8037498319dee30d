"""The submit form: a registered task, JSON arguments checked against it, and the options."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms

from scheduler_core.domain import TaskInvalid, UnknownTask
from scheduler_core.domain.defaults import (
    MAX_ATTEMPTS_LIMIT,
    MAX_QUEUE_LENGTH,
    MAX_UNIQUE_KEY_LENGTH,
)
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.domain.priority import MAX_PRIORITY, MIN_PRIORITY
from scheduler_core.json_input import parse_json
from scheduler_core.registry import registry
from scheduler_core.services import build_task
from scheduler_core.submit_requests import check_arguments, submit_request

from .catalog import task_names
from .moments import DEFAULT_ZONE, parse_run_at, zone_choices

# Far enough for any real delay, near enough that now + delay stays a valid datetime.
MAX_DELAY_SECONDS = 10 * 366 * 24 * 3600

# Where a domain error about a task field shows up in this form.
_FORM_FIELDS = {
    "name": "task",
    "args": "args",
    "kwargs": "kwargs",
    "queue": "queue",
    "priority": "priority",
    "max_attempts": "max_attempts",
    "unique_key": "unique_key",
    "run_after": "run_at",
}


def _json_editor(shape: str) -> forms.Textarea:
    return forms.Textarea(
        attrs={
            "rows": 5,
            "class": "json-editor",
            "spellcheck": "false",
            "autocomplete": "off",
            "data-json": shape,
        }
    )


class SubmitForm(forms.Form):
    """What to run and how; `submit_request` holds the validated request once it is valid."""

    task = forms.ChoiceField(label="Task")
    args = forms.CharField(
        label="Positional arguments (args)",
        required=False,
        strip=False,
        initial="[]",
        widget=_json_editor("array"),
        help_text="A JSON array, e.g. [1, 2]. Empty means [].",
    )
    kwargs = forms.CharField(
        label="Keyword arguments (kwargs)",
        required=False,
        strip=False,
        initial="{}",
        widget=_json_editor("object"),
        help_text='A JSON object, e.g. {"b": 2}. Empty means {}.',
    )
    queue = forms.CharField(label="Queue", required=False, max_length=MAX_QUEUE_LENGTH)
    priority = forms.IntegerField(
        label="Priority",
        required=False,
        min_value=MIN_PRIORITY,
        max_value=MAX_PRIORITY,
        help_text=f"From {MIN_PRIORITY} to {MAX_PRIORITY}; higher runs first.",
    )
    delay = forms.IntegerField(
        label="Delay (seconds)",
        required=False,
        min_value=0,
        max_value=MAX_DELAY_SECONDS,
        help_text="Run this many seconds from now.",
    )
    run_at = forms.CharField(
        label="Run at",
        required=False,
        max_length=64,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}),
    )
    time_zone = forms.ChoiceField(
        label="Time zone of the run-at time", required=False, initial=DEFAULT_ZONE
    )
    max_attempts = forms.IntegerField(
        label="Max attempts",
        required=False,
        min_value=1,
        max_value=MAX_ATTEMPTS_LIMIT,
        help_text=f"From 1 to {MAX_ATTEMPTS_LIMIT}, the first attempt included.",
    )
    unique_key = forms.CharField(
        label="Unique key",
        required=False,
        max_length=MAX_UNIQUE_KEY_LENGTH,
        help_text=(
            "Optional: while a task with this key waits or runs, no second one is submitted. "
            "Some tasks derive a key from their arguments."
        ),
    )

    def __init__(self, *args: Any, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The scheduler's clock, so that "in the past" means what the workers will think.
        self.now = now
        self.submit_request: SubmitRequest | None = None
        task_field = self.fields["task"]
        assert isinstance(task_field, forms.ChoiceField)
        task_field.choices = [(name, name) for name in task_names()]
        zone_field = self.fields["time_zone"]
        assert isinstance(zone_field, forms.ChoiceField)
        zone_field.choices = zone_choices()

    def clean_args(self) -> list[Any]:
        """The positional arguments: a JSON array that follows the domain's JSON rules."""
        value: list[Any] = parse_json(self.cleaned_data["args"], "args", list)
        return value

    def clean_kwargs(self) -> dict[str, Any]:
        """The keyword arguments: a JSON object that follows the domain's JSON rules."""
        value: dict[str, Any] = parse_json(self.cleaned_data["kwargs"], "kwargs", dict)
        return value

    def clean(self) -> dict[str, Any]:
        """Check the fields together: when to run, then the whole task as the domain sees it."""
        data = super().clean() or {}
        run_after = self._run_after(data)
        if {"task", "args", "kwargs"} <= data.keys():
            # Checked even when an unrelated field is wrong, so every error shows at once.
            try:
                check_arguments(data["task"], data["args"], data["kwargs"])
            except TaskInvalid as error:
                self.add_domain_error(error)
        if self.errors:
            return data
        try:
            request = submit_request(
                data["task"],
                data["args"],
                data["kwargs"],
                queue=data["queue"] or None,
                priority=data["priority"],
                run_after=run_after,
                max_attempts=data["max_attempts"],
                unique_key=data["unique_key"] or None,
            )
            # Every rule a stored task must follow, checked now so that it lands on its field.
            build_task(registry, request, now=self.now)
        except UnknownTask as error:
            self.add_error("task", str(error))
        except TaskInvalid as error:
            self.add_domain_error(error)
        else:
            self.submit_request = request
        return data

    def add_domain_error(self, error: TaskInvalid) -> None:
        """Show the domain's complaint on the field it names ("args[0]" lands on args)."""
        top = error.field.split("[", 1)[0].split(".", 1)[0]
        field = _FORM_FIELDS.get(top)
        if field == "run_at" and self.cleaned_data.get("delay"):
            field = "delay"
        message = error.message if error.field == top else f"{error.field}: {error.message}"
        self.add_error(field, message)

    def _run_after(self, data: dict[str, Any]) -> datetime | None:
        """When to run: now + delay, the run-at time, or None for at once."""
        delay = data.get("delay")
        text = data.get("run_at") or ""
        if delay is not None and text:
            self.add_error("delay", "Give a delay or a run-at time, not both.")
            return None
        if delay is not None:
            return self.now + timedelta(seconds=delay) if delay else None
        if not text:
            return None
        try:
            moment = parse_run_at(text, data.get("time_zone") or "")
        except forms.ValidationError as error:
            self.add_error("run_at", error)
            return None
        if moment < self.now:
            self.add_error(
                "run_at",
                f"{moment.isoformat(sep=' ', timespec='seconds').replace('+00:00', ' UTC')} "
                "is in the past; leave it empty to run at once.",
            )
            return None
        return moment
