"""The forms that set or clear a queue's concurrency limit and its rate limit."""

from __future__ import annotations

from django import forms

from scheduler_core.domain import TaskInvalid
from scheduler_core.domain.queue_limits import MAX_QUEUE_LIMIT
from scheduler_core.domain.queue_rates import MAX_QUEUE_RATE, PERIODS, QueueRate


class QueueLimitForm(forms.Form):
    """A whole number of tasks from 1 up; the "clear" button lifts the limit instead."""

    limit = forms.IntegerField(
        min_value=1,
        max_value=MAX_QUEUE_LIMIT,
        required=False,
        error_messages={"invalid": "Enter a whole number of tasks, such as 5."},
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_QUEUE_LIMIT, "step": 1}),
    )
    clear = forms.BooleanField(required=False)

    def clean(self) -> dict[str, object]:
        """A limit is required unless the form asks to clear it."""
        cleaned = super().clean() or {}
        if not cleaned.get("clear") and cleaned.get("limit") is None and "limit" not in self.errors:
            self.add_error("limit", "Enter a limit, or use Clear to lift it.")
        return cleaned

    def new_limit(self) -> int | None:
        """The limit to set; None to lift it. Call only on a valid form."""
        if self.cleaned_data.get("clear"):
            return None
        limit: int = self.cleaned_data["limit"]
        return limit


class QueueRateForm(forms.Form):
    """At most `limit` task starts per second or minute; "clear" lifts the rate instead."""

    limit = forms.IntegerField(
        min_value=1,
        max_value=MAX_QUEUE_RATE,
        required=False,
        error_messages={"invalid": "Enter a whole number of starts, such as 10."},
    )
    per = forms.ChoiceField(choices=[(per, per) for per in PERIODS], initial="second")
    partition_by = forms.CharField(max_length=100, required=False, strip=True)
    clear = forms.BooleanField(required=False)

    def clean(self) -> dict[str, object]:
        """A limit is required unless the form asks to clear it; the rate's own rules hold."""
        cleaned = super().clean() or {}
        if cleaned.get("clear") or self.errors:
            return cleaned
        if cleaned.get("limit") is None:
            self.add_error("limit", "Enter a rate, or use Clear to lift it.")
            return cleaned
        try:
            cleaned["rate"] = QueueRate(
                cleaned["limit"], cleaned["per"], cleaned.get("partition_by") or None
            )
        except TaskInvalid as error:
            self.add_error(error.field, error.message)
        return cleaned

    def new_rate(self) -> QueueRate | None:
        """The rate to set; None to lift it. Call only on a valid form."""
        if self.cleaned_data.get("clear"):
            return None
        rate: QueueRate = self.cleaned_data["rate"]
        return rate
