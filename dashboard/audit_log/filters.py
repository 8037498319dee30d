"""The audit page's filter form: actor, action, source and day, read from the querystring."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from scheduler_core.queries import SOURCE_CHOICES, AuditFilter


class AuditFilterForm(forms.Form):
    """Every field optional; a bad value is a field error and the list stays unfiltered."""

    actor = forms.CharField(required=False, max_length=150, label="Who")
    action = forms.CharField(required=False, max_length=50)
    source = forms.ChoiceField(required=False, choices=[("", "Any"), *SOURCE_CHOICES])
    day = forms.DateField(
        required=False, label="Day", widget=forms.DateInput(attrs={"type": "date"})
    )
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_day(self) -> date | None:
        """The day, if the whole of it can be held as a range of moments (not 9999-12-31)."""
        day: date | None = self.cleaned_data.get("day")
        if day is not None:
            try:
                _day_range(day)
            except OverflowError as error:
                raise forms.ValidationError("This day is out of range.", "range") from error
        return day

    def audit_filter(self) -> AuditFilter:
        """The filter the valid fields describe; a field with an error does not filter."""
        self.is_valid()
        data = self.cleaned_data
        day = data.get("day")
        since = until = None
        if day is not None:
            since, until = _day_range(day)
        return AuditFilter(
            actor=(data.get("actor") or "").strip(),
            action=(data.get("action") or "").strip(),
            source=data.get("source") or "",
            since=since,
            until=until,
        )

    def cursor(self) -> int | None:
        """The entry the page continues after, if the cursor is valid."""
        self.is_valid()
        value = self.cleaned_data.get("after")
        return int(value) if value is not None else None


def _day_range(day: date) -> tuple[datetime, datetime]:
    """The operator's day, in the dashboard's time zone, as a range the index serves."""
    since = timezone.make_aware(datetime.combine(day, time.min))
    return since, since + timedelta(days=1)
