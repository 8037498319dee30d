"""Acknowledging incidents and silencing rules: operator actions, POST only, audited."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from dashboard.access import action
from scheduler_core.domain.alerts import AlertRuleInvalid
from scheduler_core.web.operator_audit import audit_request
from scheduler_core.web.permissions import MANAGE_ALERTS

from .lookup import incident_or_404, rule_or_404, rule_service

SILENCE_CHOICES = {"3600": "1 hour", "14400": "4 hours", "86400": "1 day", "604800": "1 week"}


def _back(rule_id: int) -> HttpResponse:
    return HttpResponseRedirect(reverse("dashboard:alerts:detail", args=[rule_id]), status=303)


@action(MANAGE_ALERTS)
def acknowledge(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Stop an open incident's reminders (its resolved notice still goes out)."""
    incident = incident_or_404(incident_id)
    rule_service().acknowledge(incident_id, f"dashboard:{request.user.get_username()}")
    audit_request(request, "acknowledge_incident", source="dashboard", target=str(incident_id))
    messages.success(request, f"Incident {incident_id} acknowledged.")
    return _back(incident.rule_id)


@action(MANAGE_ALERTS)
def silence(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Mute the rule's notifications for the chosen time, or lift the silence ("0")."""
    rule = rule_or_404(rule_id)
    choice = request.POST.get("seconds", "")
    if choice != "0" and choice not in SILENCE_CHOICES:
        messages.error(request, "Choose how long to silence the rule.")
        return _back(rule_id)
    try:
        changed = rule_service().silence(rule_id, None if choice == "0" else int(choice))
    except AlertRuleInvalid as error:
        messages.error(request, error.message)
        return _back(rule_id)
    until = changed.silenced_until.isoformat() if changed.silenced_until else None
    audit_request(
        request,
        "silence_alert_rule",
        source="dashboard",
        target=rule.name,
        details={"until": until},
    )
    if until:
        messages.success(request, f"Rule {rule.name} silenced until {until}.")
    else:
        messages.success(request, f"Rule {rule.name} is no longer silenced.")
    return _back(rule_id)
