"""The submit form: it parses what was typed; the scheduler service judges the task.

The form reads the fields (JSON text, numbers, when to run) into a SubmitRequest. Every rule
about the task itself (its signature, queue name, tags, sizes...) is checked once, by the
service on submit; its errors come back here through add_domain_error, each on its field.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms

from scheduler_core.domain import TaskInvalid
from scheduler_core.domain.defaults import (
    MAX_ATTEMPTS_LIMIT,
    MAX_QUEUE_LENGTH,
    MAX_UNIQUE_KEY_LENGTH,
)
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.domain.priority import MAX_PRIORITY, MIN_PRIORITY
from scheduler_core.domain.result_expiry import MAX_RESULT_TTL
from scheduler_core.domain.tags import MAX_TAG_LENGTH, MAX_TAGS
from scheduler_core.web.json_input import parse_json
from scheduler_core.web.submit_requests import submit_request

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
    "tags": "tags",
    "result_ttl": "result_ttl",
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
    """What to run and how, parsed; `submit_request()` turns a valid form into a request."""

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

    tags = forms.CharField(
        label="Tags",
        required=False,
        max_length=MAX_TAGS * (MAX_TAG_LENGTH + 1),
        help_text="Optional, comma-separated, added to the task's own: e.g. customer:42, import.",
    )
    result_ttl = forms.IntegerField(
        label="Keep the result for (seconds)",
        required=False,
        min_value=1,
        max_value=MAX_RESULT_TTL,
        help_text="Optional: the result is dropped this long after the task finished.",
    )

    def __init__(self, *args: Any, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The scheduler's clock, so that "in the past" means what the workers will think.
        self.now = now
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

    def clean_tags(self) -> list[str]:
        """The tags, split at commas; each is checked with the rest of the task."""
        text: str = self.cleaned_data.get("tags") or ""
        return [tag.strip() for tag in text.split(",") if tag.strip()]

    def clean_kwargs(self) -> dict[str, Any]:
        """The keyword arguments: a JSON object that follows the domain's JSON rules."""
        value: dict[str, Any] = parse_json(self.cleaned_data["kwargs"], "kwargs", dict)
        return value

    def clean(self) -> dict[str, Any]:
        """Read when to run from the delay or the run-at time (and its zone)."""
        data = super().clean() or {}
        data["run_after"] = self._run_after(data)
        return data

    def call(self) -> tuple[str, list[Any], dict[str, Any]] | None:
        """The task, args and kwargs as parsed, when all three parsed (even if others did not)."""
        data = self.cleaned_data
        if not {"task", "args", "kwargs"} <= data.keys():
            return None
        return data["task"], data["args"], data["kwargs"]

    def submit_request(self) -> SubmitRequest:
        """The request a valid form asks for; UnknownTask if its task was unregistered since."""
        data = self.cleaned_data
        return submit_request(
            data["task"],
            data["args"],
            data["kwargs"],
            queue=data["queue"] or None,
            priority=data["priority"],
            run_after=data["run_after"],
            max_attempts=data["max_attempts"],
            unique_key=data["unique_key"] or None,
            tags=data["tags"],
            result_ttl=data["result_ttl"],
        )

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
