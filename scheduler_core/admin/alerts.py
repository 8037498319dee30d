"""Admin pages for alerts: rules edited through the alert rule service; history read-only.

Rules are checked by the domain (and webhook URLs by the allow-list) before anything is
stored; channels are read-only for users without manage_alert_channels.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from scheduler_core.admin.audit import AuditedAdminMixin
from scheduler_core.admin.schedules import _using
from scheduler_core.alert_wiring import get_alert_services
from scheduler_core.domain.alerts import AlertKind, AlertRule, AlertRuleInvalid
from scheduler_core.models import AlertRuleRecord, IncidentRecord, NotificationRecord
from scheduler_core.storage.alerts.mapping import channel_from_json, rule_from_record
from scheduler_core.web.json_input import JsonTextField
from scheduler_core.web.permissions import MANAGE_ALERT_CHANNELS, MANAGE_ALERTS

EDITABLE = (
    "name",
    "kind",
    "queue",
    "task",
    "threshold",
    "for_seconds",
    "renotify_seconds",
    "window_seconds",
    "min_count",
    "enabled",
    "channels",
)


def rule_from_form(data: dict[str, Any], stored: AlertRuleRecord | None) -> AlertRule:
    """The domain rule an admin form describes (a stored one keeps its id and silence)."""
    base = rule_from_record(stored) if stored is not None else None
    channels = data.get("channels")
    return AlertRule(
        id=base.id if base else None,
        name=data["name"],
        kind=AlertKind(data["kind"]),
        queue=data.get("queue") or None,
        task=data.get("task") or None,
        threshold=data.get("threshold"),
        for_seconds=data["for_seconds"],
        renotify_seconds=data["renotify_seconds"],
        window_seconds=data["window_seconds"],
        min_count=data["min_count"],
        enabled=data.get("enabled", False),
        channels=(
            [channel_from_json(c) for c in channels]
            if channels is not None
            else (base.channels if base else [])
        ),
        silenced_until=base.silenced_until if base else None,
    )


class AlertRuleForm(forms.ModelForm[AlertRuleRecord]):
    """Checks the whole rule with the service; each error lands on its field."""

    channels = JsonTextField(
        shape=list,
        path="channels",
        help_text='[{"type": "webhook", "url": "https://..."}, {"type": "email", "to": ["a@b.c"]}]',
    )

    class Meta:
        model = AlertRuleRecord
        fields = list(EDITABLE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        stored = self.instance if self.instance.pk else None
        try:
            rule = rule_from_form(data, stored)
            base = rule_from_record(stored) if stored is not None else None
            get_alert_services().rules.check(rule, base)
        except (AlertRuleInvalid, KeyError, ValueError, TypeError) as error:
            field = getattr(error, "field", "channels").split("[")[0].split(".")[0]
            message = getattr(error, "message", f"not a channel: {error}")
            self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(AlertRuleRecord)
class AlertRuleRecordAdmin(AuditedAdminMixin, admin.ModelAdmin[AlertRuleRecord]):
    form = AlertRuleForm
    list_display = ["name", "kind", "queue", "task", "threshold", "for_seconds", "enabled"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "queue", "task"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).using(_using())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MANAGE_ALERTS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(MANAGE_ALERTS)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(MANAGE_ALERTS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["silenced_until", "last_evaluated_at", "last_error"]
        return fields if request.user.has_perm(MANAGE_ALERT_CHANNELS) else [*fields, "channels"]

    def save_model(
        self, request: HttpRequest, obj: AlertRuleRecord, form: Any, change: bool
    ) -> None:
        """Store through the alert rule service, which checks the rule once more."""
        rows = AlertRuleRecord.objects.using(_using())
        stored = rows.get(pk=obj.pk) if change else None
        rule = rule_from_form(form.cleaned_data, stored)
        service = get_alert_services().rules
        saved = service.change(rule) if change else service.create(rule)
        obj.pk = saved.id
        obj.refresh_from_db(using=_using())

    def delete_model(self, request: HttpRequest, obj: AlertRuleRecord) -> None:
        get_alert_services().rules.delete(obj.pk)


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IncidentRecord)
class IncidentRecordAdmin(_ReadOnly, admin.ModelAdmin[IncidentRecord]):
    list_display = ["id", "rule", "state", "pending_since", "firing_since", "resolved_at"]
    list_filter = ["state"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).using(_using())


@admin.register(NotificationRecord)
class NotificationRecordAdmin(_ReadOnly, admin.ModelAdmin[NotificationRecord]):
    list_display = ["created_at", "rule", "event", "status", "attempts", "last_error"]
    list_filter = ["status", "event"]
    exclude = ["channel"]  # it holds the webhook's signing secret

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).using(_using())
