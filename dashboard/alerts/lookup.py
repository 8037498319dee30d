"""Shared pieces of the alerts pages: the service, a rule or incident or 404."""

from __future__ import annotations

from django.http import Http404

from scheduler_core.alert_wiring import get_alert_services
from scheduler_core.domain.alerts import AlertRule, Incident
from scheduler_core.domain.ports.alerts import AlertRuleNotFound
from scheduler_core.services.alert_rules import AlertRuleService


def rule_service() -> AlertRuleService:
    """The process's alert rule service."""
    return get_alert_services().rules


def rule_or_404(rule_id: int) -> AlertRule:
    """The stored rule, or a 404 page."""
    try:
        return rule_service().get(rule_id)
    except AlertRuleNotFound as error:
        raise Http404(str(error)) from error


def incident_or_404(incident_id: int) -> Incident:
    """The incident, or a 404 page."""
    try:
        return rule_service().incident(incident_id)
    except AlertRuleNotFound as error:
        raise Http404(str(error)) from error
