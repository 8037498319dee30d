"""Admin pages for queue rate limits: set, changed and lifted through the scheduler service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from scheduler_core.admin.audit import AuditedAdminMixin
from scheduler_core.bootstrap import get_services
from scheduler_core.conf import scheduler_conf
from scheduler_core.domain import TaskInvalid
from scheduler_core.domain.queue_names import is_queue_name
from scheduler_core.domain.queue_rates import QueueRate
from scheduler_core.models import QueueRateRecord


def _using() -> str:
    """The database of the scheduler's tables, which need not be Django's default one."""
    return scheduler_conf().database


class QueueRateForm(forms.ModelForm[QueueRateRecord]):
    """Checks the rate with the domain's rules; each error lands on its field."""

    class Meta:
        model = QueueRateRecord
        fields = ["queue", "max_starts", "per", "partition_by"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        queue = data.get("queue", self.instance.queue)
        if queue is not None and not is_queue_name(queue):
            self.add_error("queue", "Use letters, digits, '_', '.' or '-' only.")
            return data
        try:
            data["rate"] = QueueRate(
                data["max_starts"], data["per"], data.get("partition_by") or None
            )
        except TaskInvalid as error:
            field = {"limit": "max_starts"}.get(error.field, error.field)
            self.add_error(field if field in self.fields else None, error.message)
        return data


@admin.register(QueueRateRecord)
class QueueRateRecordAdmin(AuditedAdminMixin, admin.ModelAdmin[QueueRateRecord]):
    form = QueueRateForm
    list_display = ["queue", "max_starts", "per", "partition_by", "updated_at"]
    search_fields = ["queue"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).using(_using())

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The queue keys the row; lifting one rate and setting another is a delete and an add.
        return ["queue"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: QueueRateRecord, form: Any, change: bool
    ) -> None:
        """Store through the scheduler service, which fills the bucket and wakes claimers."""
        get_services().tasks.set_queue_rate(obj.queue, form.cleaned_data["rate"])
        obj.refresh_from_db(using=_using())

    def delete_model(self, request: HttpRequest, obj: QueueRateRecord) -> None:
        """Lift the rate through the scheduler service."""
        get_services().tasks.set_queue_rate(obj.queue, None)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[QueueRateRecord]) -> None:
        """Lift each selected rate through the scheduler service."""
        for record in queryset:
            self.delete_model(request, record)
