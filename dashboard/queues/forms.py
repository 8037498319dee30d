"""The form that sets or clears a queue's concurrency limit."""

from __future__ import annotations

from django import forms

from scheduler_core.domain.queue_limits import MAX_QUEUE_LIMIT


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
