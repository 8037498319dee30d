"""Admin pages for schedules: edits are validated by the domain and stored by the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join

from scheduler_core.admin.audit import AuditedAdminMixin
from scheduler_core.bootstrap import get_services
from scheduler_core.conf import scheduler_conf
from scheduler_core.domain import CatchUp, Schedule, ScheduleInvalid, ScheduleNotFound
from scheduler_core.models import ScheduleRecord
from scheduler_core.schedules.cron import describe
from scheduler_core.web.json_input import JsonTextField

# The ScheduleRecord fields an admin form edits, all of them domain Schedule fields too.
EDITABLE = (
    "name",
    "task",
    "cron",
    "interval_seconds",
    "timezone",
    "enabled",
    "catch_up",
    "catch_up_limit",
    "args",
    "kwargs",
    "queue",
    "priority",
    "max_attempts",
)


def _using() -> str:
    """The database of the scheduler's tables, which need not be Django's default one."""
    return scheduler_conf().database


def _exists(name: str) -> bool:
    try:
        get_services().schedules.get(name)
    except ScheduleNotFound:
        return False
    return True


def schedule_from_form(data: dict[str, Any], stored: ScheduleRecord | None) -> Schedule:
    """The domain schedule a form describes; blank text fields mean "not set"."""
    values: dict[str, Any] = {name: data.get(name) for name in EDITABLE}
    for name in ("cron", "queue"):
        values[name] = values[name] or None
    if stored is not None:
        values["name"] = stored.name
    values["catch_up"] = CatchUp(values["catch_up"] or CatchUp.SKIP.value)
    values["args"] = [] if values["args"] is None else values["args"]
    values["kwargs"] = {} if values["kwargs"] is None else values["kwargs"]
    code_hash = stored.code_hash if stored is not None else ""
    return Schedule(**values, code_hash=code_hash)


class ScheduleForm(forms.ModelForm[ScheduleRecord]):
    """Checks the whole schedule with the domain's rules; each error lands on its field."""

    # Django's JSONField form field lets huge ints, deep nesting and lone surrogates through
    # to a 500; these parse with the dashboard's rules and messages.
    args = JsonTextField(shape=list, path="args", help_text="A JSON array, like [1, 2]")
    kwargs = JsonTextField(shape=dict, path="kwargs", help_text='A JSON object, like {"a": 1}')

    class Meta:
        model = ScheduleRecord
        fields = list(EDITABLE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        stored = self.instance if self.instance.pk else None
        schedule = schedule_from_form(data, stored)
        if stored is None and _exists(schedule.name):
            # Asked of the scheduler's database: the model form's own check reads the default.
            self.add_error("name", f"A schedule called {schedule.name!r} exists.")
            return data
        try:
            get_services().schedules.validate(schedule)
        except ScheduleInvalid as error:
            # "kwargs.when" and "args[0]" belong to the kwargs and args fields.
            field = error.field.split(".")[0].split("[")[0]
            self.add_error(field if field in self.fields else None, error.message)
        return data


@admin.register(ScheduleRecord)
class ScheduleRecordAdmin(AuditedAdminMixin, admin.ModelAdmin[ScheduleRecord]):
    form = ScheduleForm
    list_display = ["name", "task", "timing", "timezone", "enabled", "next_run_at", "last_run_at"]
    list_filter = ["enabled", "catch_up"]
    search_fields = ["name", "task"]
    readonly_fields = ["description", "next_five_runs", "next_run_at", "last_run_at"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).using(_using())

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The name keys the schedule and every task it fired, so it stays once created.
        return [*self.readonly_fields, "name"] if obj is not None else list(self.readonly_fields)

    @admin.display(description="timing")
    def timing(self, record: ScheduleRecord) -> str:
        return record.cron or f"every {record.interval_seconds} s"

    @admin.display(description="description")
    def description(self, record: ScheduleRecord) -> str:
        if record.cron:
            try:
                return describe(record.cron)
            except Exception:
                return "(not a valid cron expression)"
        if record.interval_seconds:
            return f"Every {record.interval_seconds} seconds"
        return "-"

    @admin.display(description="next 5 runs")
    def next_five_runs(self, record: ScheduleRecord) -> str:
        # An unsaved form (add page, or one with errors) has no stored schedule to show.
        if record._state.adding:
            return "-"
        schedule = get_services().schedules.get(record.name)
        runs = get_services().schedules.next_runs(schedule)
        zone = schedule.zone
        return format_html_join(
            "", "<div>{}</div>", ((run.astimezone(zone).isoformat(" "),) for run in runs)
        )

    def save_model(
        self, request: HttpRequest, obj: ScheduleRecord, form: Any, change: bool
    ) -> None:
        """Store through the schedule service, which sets (or resets) the next run."""
        rows = ScheduleRecord.objects.using(_using())
        stored = rows.get(pk=obj.pk) if change else None
        schedule = schedule_from_form(form.cleaned_data, stored)
        service = get_services().schedules
        saved = service.change(schedule) if change else service.create(schedule)
        obj.pk = rows.get(name=saved.name).pk
        obj.refresh_from_db(using=_using())
