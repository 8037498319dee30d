"""The banner on every dashboard page while an alert fires: a context processor.

Lazy: the query runs only when a full page (base.html) renders the banner, never for
htmx fragments; and a database without the alert tables, or away, shows no banner
rather than breaking every page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import DatabaseError
from django.http import HttpRequest

from scheduler_core.alert_wiring import alerts_enabled
from scheduler_core.domain.alerts import IncidentState
from scheduler_core.web.permissions import VIEW

from .lookup import rule_service

logger = logging.getLogger(__name__)
SHOWN = 5


@dataclass(frozen=True, slots=True)
class FiringAlert:
    """One firing incident as the banner links it."""

    incident_id: int
    rule_id: int
    rule_name: str
    summary: str


def firing_alerts() -> list[FiringAlert]:
    """The firing incidents, newest first (at most SHOWN)."""
    try:
        service = rule_service()
        firing = [
            incident
            for incident in service.incidents(open_only=True, limit=50)
            if incident.state is IncidentState.FIRING
        ]
        if not firing:
            return []
        names = {rule.id: rule.name for rule in service.all()}
    except DatabaseError:
        logger.warning("the alert banner could not read incidents", exc_info=True)
        return []
    return [
        FiringAlert(i.id, i.rule_id, names.get(i.rule_id, "?"), i.summary) for i in firing[:SHOWN]
    ]


def alert_banner(request: HttpRequest) -> dict[str, object]:
    """`firing_alerts` for templates: a callable, so only a page that shows it queries."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(VIEW):
        return {}
    if not alerts_enabled():
        return {}
    return {"firing_alerts": firing_alerts}
