"""The task list's filter form: read from the querystring, so a filtered view is a link."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.http import QueryDict

from scheduler_core.domain import Cursor, PageRequest, TaskFilter, TaskInvalid, TaskStatus
from scheduler_core.domain.tags import MAX_TAG_LENGTH, check_tag

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
# Querystring keys that choose a page rather than which tasks; a bulk action ignores them.
PAGING_KEYS = ("cursor", "size", "sort")
# The orders an index serves at any size: by enqueue time, either way (see task_listing.py).
SORTS = {"newest": "Newest enqueued first", "oldest": "Oldest enqueued first"}


class UtcDateTimeField(forms.Field):
    """A datetime-local input, read as UTC (an offset in the text is honoured)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"})
    default_error_messages = {"invalid": "Enter a date and time like 2026-11-28T14:30."}

    def to_python(self, value: Any) -> datetime | None:
        """The moment as an aware UTC datetime, or None when left empty."""
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            moment = value
        else:
            try:
                moment = datetime.fromisoformat(str(value).strip())
            except ValueError as error:
                raise forms.ValidationError(self.error_messages["invalid"], "invalid") from error
        if moment.utcoffset() is None:
            return moment.replace(tzinfo=UTC)
        try:
            return moment.astimezone(UTC)
        except OverflowError as error:
            # Year 1 east of UTC, or 9999-12-31 west of it, is a moment Python cannot hold.
            raise forms.ValidationError("This time is out of range.", "range") from error


class TaskFilterForm(forms.Form):
    """Which tasks to list and which page: every field optional, combined with AND."""

    status = forms.MultipleChoiceField(
        choices=[(status.value, status.value) for status in TaskStatus],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    queue = forms.CharField(required=False, max_length=100)
    name = forms.CharField(required=False, max_length=200, label="Task name")
    worker = forms.CharField(required=False, max_length=200, label="Worker id")
    after = UtcDateTimeField(required=False, label="Enqueued from (UTC)")
    before = UtcDateTimeField(required=False, label="Enqueued before (UTC)")
    search = forms.CharField(
        required=False, max_length=200, label="Arguments contain", help_text="Case-insensitive."
    )
    error = forms.CharField(
        required=False,
        max_length=300,
        label="Error type",
        help_text="A failed attempt's exception, e.g. builtins.ValueError.",
    )
    failed_after = UtcDateTimeField(required=False, label="Failed from (UTC)")
    tag = forms.CharField(
        required=False, max_length=MAX_TAG_LENGTH, label="Tag", help_text="Exact, e.g. customer:42."
    )
    size = forms.ChoiceField(
        choices=[(str(n), str(n)) for n in PAGE_SIZES], required=False, label="Per page"
    )
    cursor = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False, label="Order")

    @classmethod
    def from_query(cls, query: QueryDict) -> TaskFilterForm:
        """The form bound to a request's querystring, the default page size filled in."""
        data = query.copy()
        if not data.get("size"):
            data["size"] = str(DEFAULT_PAGE_SIZE)
        return cls(data)

    def clean_size(self) -> int:
        """The page size as a number; the default when none was chosen."""
        size: str = self.cleaned_data.get("size") or ""
        return int(size) if size else DEFAULT_PAGE_SIZE

    def clean_cursor(self) -> Cursor | None:
        """The decoded page position; an error for a token this server did not issue."""
        token: str = self.cleaned_data.get("cursor") or ""
        if not token:
            return None
        try:
            return Cursor.decode(token)
        except TaskInvalid as error:
            raise forms.ValidationError(
                "This page link is broken or out of date; start again from the newest tasks.",
                "cursor",
            ) from error

    def clean_tag(self) -> str:
        """The tag to find, as the domain spells tags; a field error otherwise."""
        tag: str = self.cleaned_data.get("tag") or ""
        if tag:
            try:
                check_tag(tag, "tag")
            except TaskInvalid as error:
                raise forms.ValidationError(error.message, "tag") from error
        return tag

    def clean(self) -> dict[str, Any] | None:
        """Refuse a time range that ends before it starts."""
        cleaned = super().clean()
        after, before = self.cleaned_data.get("after"), self.cleaned_data.get("before")
        if after is not None and before is not None and before <= after:
            self.add_error("before", "Must be later than the start of the range.")
        return cleaned

    def task_filter(self) -> TaskFilter:
        """The domain filter of a valid form."""
        data = self.cleaned_data
        return TaskFilter(
            statuses=frozenset(TaskStatus(value) for value in data["status"]),
            queue=data["queue"] or None,
            name=data["name"] or None,
            worker_id=data["worker"] or None,
            enqueued_after=data["after"],
            enqueued_before=data["before"],
            search=data["search"] or None,
            error_type=data["error"] or None,
            failed_after=data["failed_after"],
            tag=data["tag"] or None,
        )

    def page_request(self) -> PageRequest:
        """The page of a valid form."""
        return PageRequest(
            limit=self.cleaned_data["size"],
            after=self.cleaned_data["cursor"],
            oldest_first=self.cleaned_data.get("sort") == "oldest",
        )

    def is_filtered(self) -> bool:
        """True when any filter field narrows the list."""
        return any(self.cleaned_data.get(key) for key in self.fields if key not in PAGING_KEYS)


def filter_query(query: QueryDict) -> str:
    """The querystring of the filter alone, without the paging keys."""
    kept = query.copy()
    for key in PAGING_KEYS:
        kept.pop(key, None)
    return kept.urlencode()
