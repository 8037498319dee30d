"""The alert rule form: Django parses the fields, the alert rule service judges the rule.

The channels are two text areas (webhook URLs, one per line; email addresses); they are
read-only for users who may not manage channels, and then keep the stored channels.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from django import forms

from scheduler_core.domain.alerts import (
    AlertKind,
    AlertRule,
    AlertRuleInvalid,
    Channel,
    ChannelType,
)
from scheduler_core.services.alert_rules import AlertRuleService

KIND_LABELS = {
    AlertKind.OLDEST_READY_AGE: "Oldest ready task older than N seconds",
    AlertKind.FAILURE_RATE: "Failed attempts above N % in a window",
    AlertKind.TASK_FAILED: "More than N tasks failed for good in a window",
    AlertKind.NO_LIVE_WORKER: "No worker heard from for N seconds",
    AlertKind.DEAD_WORKER_HOLDING_TASKS: "More than N tasks held by dead workers",
    AlertKind.SCHEDULE_MISSED: "A schedule N seconds late",
}
PREVIEW_TARGET = "#rule-preview"
TYPING = "input changed delay:400ms, change"
# The form fields the preview measures (channels do not change the answer).
PREVIEW_FIELDS = (
    "name",
    "kind",
    "queue",
    "task",
    "threshold",
    "for_seconds",
    "window_seconds",
    "min_count",
)
_ADDRESS_SPLIT = re.compile(r"[\s,;]+")


def _seconds(label: str, initial: int, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, initial=initial, help_text=help_text)


class RuleForm(forms.Form):
    """A new rule, or the changes to a stored one."""

    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(
        label="Condition", choices=[(kind.value, label) for kind, label in KIND_LABELS.items()]
    )
    queue = forms.CharField(
        label="Queue", required=False, max_length=200, help_text="Empty: every queue."
    )
    task = forms.CharField(
        label="Task name", required=False, max_length=200, help_text="Empty: every task."
    )
    threshold = forms.FloatField(
        label="Threshold N",
        required=False,
        help_text="Empty: the condition's default (docs/alerts.md).",
    )
    for_seconds = _seconds("For (seconds)", 60, "How long the condition must hold to fire.")
    renotify_seconds = _seconds(
        "Re-notify every (seconds)", 3600, "While it fires, unacknowledged; 0: never."
    )
    window_seconds = _seconds("Window (seconds)", 300, "For failure rate and failed tasks.")
    min_count = forms.IntegerField(
        label="Minimum attempts", initial=10, help_text="For failure rate."
    )
    enabled = forms.BooleanField(label="Enabled", required=False, initial=True)
    webhook_urls = forms.CharField(
        label="Webhook URLs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="One per line; each must be under a prefix of ALERT_WEBHOOK_ALLOWED.",
    )
    email_to = forms.CharField(
        label="Email addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="Separated by commas or new lines; one email to all of them.",
    )

    def __init__(
        self,
        *args: Any,
        service: AlertRuleService,
        preview_url: str,
        may_set_channels: bool,
        stored: AlertRule | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._service = service
        self._stored = stored
        self._checked: AlertRule | None = None
        if not may_set_channels:
            for name in ("webhook_urls", "email_to"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Only the admin role may change channels."
        include = ",".join(f"[name={name}]" for name in PREVIEW_FIELDS)
        for name in PREVIEW_FIELDS:
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": preview_url,
                    "hx-trigger": TYPING,
                    "hx-target": PREVIEW_TARGET,
                    "hx-include": include,
                    "hx-sync": "closest form:replace",
                }
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self._checked = self._service.check(self.rule(), self._stored)
        except AlertRuleInvalid as error:
            self.add_rule_error(error)
        return data

    def add_rule_error(self, error: AlertRuleInvalid) -> None:
        """Show the service's message on the field at fault (channels on their text area)."""
        field = error.field
        if field.startswith("channels["):
            index = int(field[len("channels[") : field.index("]")])
            field = (
                "webhook_urls" if self._channel_type(index) is ChannelType.WEBHOOK else "email_to"
            )
        target = field if field in self.fields and field not in self.errors else None
        self.add_error(target, error.message if target else f"{error.field}: {error.message}")

    def _channel_type(self, index: int) -> ChannelType:
        channels = self._channels()
        return channels[index].type if index < len(channels) else ChannelType.EMAIL

    def _channels(self) -> list[Channel]:
        data = self.cleaned_data
        urls = [line.strip() for line in data.get("webhook_urls", "").splitlines() if line.strip()]
        addresses = [a for a in _ADDRESS_SPLIT.split(data.get("email_to", "")) if a]
        channels = [Channel(type=ChannelType.WEBHOOK, url=url) for url in urls]
        if addresses:
            channels.append(Channel(type=ChannelType.EMAIL, to=tuple(addresses)))
        return channels

    def rule(self) -> AlertRule:
        """The rule the cleaned fields describe (a stored one keeps its id and silence)."""
        data = self.cleaned_data
        fields: dict[str, Any] = {
            "name": data["name"],
            "kind": AlertKind(data["kind"]),
            "queue": data["queue"] or None,
            "task": data["task"] or None,
            "threshold": data["threshold"],
            "for_seconds": data["for_seconds"],
            "renotify_seconds": data["renotify_seconds"],
            "window_seconds": data["window_seconds"],
            "min_count": data["min_count"],
            "enabled": data["enabled"],
            "channels": self._channels(),
        }
        if self._stored is not None:
            return replace(self._stored, **fields)
        return AlertRule(**fields)

    def checked_rule(self) -> AlertRule:
        """The rule as the service will store it (after is_valid())."""
        assert self._checked is not None
        return self._checked


def initial_for(rule: AlertRule) -> dict[str, Any]:
    """The form's initial values for a stored rule."""
    urls = [c.url for c in rule.channels if c.type is ChannelType.WEBHOOK]
    addresses = [a for c in rule.channels if c.type is ChannelType.EMAIL for a in c.to]
    return {
        "name": rule.name,
        "kind": rule.kind.value,
        "queue": rule.queue or "",
        "task": rule.task or "",
        "threshold": rule.threshold,
        "for_seconds": rule.for_seconds,
        "renotify_seconds": rule.renotify_seconds,
        "window_seconds": rule.window_seconds,
        "min_count": rule.min_count,
        "enabled": rule.enabled,
        "webhook_urls": "\n".join(urls),
        "email_to": ", ".join(addresses),
    }
