"""/alerts: rules (list, create, get, change, delete, silence, preview) and incidents.

Reading needs the viewer role. Creating and changing rules, silencing and acknowledging
need manage_alerts (operator); a rule whose channels are set or changed also needs
manage_alert_channels (admin), since channels decide where the scheduler sends requests.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from scheduler_core.alert_wiring import get_alert_services
from scheduler_core.domain.alerts import AlertRule, Channel, ChannelType, Incident
from scheduler_core.web.operator_audit import audit_request
from scheduler_core.web.permissions import MANAGE_ALERT_CHANNELS, MANAGE_ALERTS, VIEW

from .. import auth
from ..alert_schemas import (
    ChannelIn,
    IncidentOut,
    PreviewOut,
    RuleIn,
    RuleOut,
    RulePatch,
    SilenceIn,
)
from ..errors import ApiError
from ..schemas import ErrorOut

router = Router(tags=["alerts"])
ERRORS = dict.fromkeys((400, 401, 403, 404, 415, 422), ErrorOut)
# Ids are 64-bit in the database; a larger one in a path is simply not found.
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
NULLABLE = {"queue", "task", "threshold"}


@router.get("/alerts/rules", response={200: list[RuleOut], **ERRORS}, summary="List alert rules")
def list_rules(request: HttpRequest) -> list[dict[str, Any]]:
    """Every alert rule, by name. Role: viewer."""
    auth.require(request, VIEW)
    return [_out(request, rule) for rule in get_alert_services().rules.all()]


@router.post("/alerts/rules", response={201: RuleOut, **ERRORS}, summary="Create an alert rule")
def create(request: HttpRequest, body: RuleIn) -> Status[dict[str, Any]]:
    """Validate and store a rule; 422 names the field at fault and nothing is saved.

    Role: operator (manage_alerts); with channels, admin (manage_alert_channels). Audited
    as create_alert_rule.
    """
    auth.require(request, MANAGE_ALERTS)
    if body.channels:
        auth.require(request, MANAGE_ALERT_CHANNELS)
    fields = body.model_dump(exclude={"channels"})
    rule = AlertRule(**fields, channels=[_channel(c) for c in body.channels])
    created = get_alert_services().rules.create(rule)
    details = created.audit_details()
    audit_request(request, "create_alert_rule", source="api", target=created.name, details=details)
    return Status(201, _out(request, created))


@router.get("/alerts/rules/{rule_id}", response={200: RuleOut, **ERRORS}, summary="Get a rule")
def get_rule(request: HttpRequest, rule_id: Id) -> dict[str, Any]:
    """One alert rule. Role: viewer; webhook secrets only for the admin role."""
    auth.require(request, VIEW)
    return _out(request, get_alert_services().rules.get(rule_id))


@router.patch("/alerts/rules/{rule_id}", response={200: RuleOut, **ERRORS}, summary="Change")
def change(request: HttpRequest, rule_id: Id, body: RulePatch) -> dict[str, Any]:
    """Change the given fields.

    Role: operator (manage_alerts); changing channels, admin (manage_alert_channels).
    Audited as change_alert_rule.
    """
    auth.require(request, MANAGE_ALERTS)
    service = get_alert_services().rules
    rule = service.get(rule_id)
    fields = body.model_dump(exclude_unset=True, exclude={"channels"})
    for field, value in fields.items():
        if value is None and field not in NULLABLE:
            raise ApiError(422, "invalid", "must not be null", field=field)
    rule = replace(rule, **fields)
    if body.channels is not None:
        channels = [_channel(c) for c in body.channels]
        if [_where(c) for c in channels] != [_where(c) for c in rule.channels] or any(
            c.secret for c in channels
        ):
            auth.require(request, MANAGE_ALERT_CHANNELS)
        rule.channels = channels
    changed = service.change(rule)
    details = changed.audit_details()
    audit_request(request, "change_alert_rule", source="api", target=changed.name, details=details)
    return _out(request, changed)


@router.delete("/alerts/rules/{rule_id}", response={204: None, **ERRORS}, summary="Delete")
def delete(request: HttpRequest, rule_id: Id) -> Status[None]:
    """Delete the rule with its incidents and notifications.

    Role: operator (manage_alerts). Audited as delete_alert_rule.
    """
    auth.require(request, MANAGE_ALERTS)
    service = get_alert_services().rules
    name = service.get(rule_id).name
    service.delete(rule_id)
    audit_request(request, "delete_alert_rule", source="api", target=name)
    return Status(204, None)


@router.post(
    "/alerts/rules/{rule_id}/silence", response={200: RuleOut, **ERRORS}, summary="Silence"
)
def silence(request: HttpRequest, rule_id: Id, body: SilenceIn) -> dict[str, Any]:
    """Mute the rule's notifications for `seconds` or `until` a time; incidents still open
    and close. Both null lift the silence.

    Role: operator (manage_alerts). Audited as silence_alert_rule.
    """
    auth.require(request, MANAGE_ALERTS)
    service = get_alert_services().rules
    if body.until is not None and body.seconds is not None:
        raise ApiError(422, "invalid", "give seconds or until, not both", field="until")
    if body.until is not None:
        rule = service.silence_until(rule_id, body.until)
    else:
        rule = service.silence(rule_id, body.seconds)
    until = rule.silenced_until.isoformat() if rule.silenced_until else None
    audit_request(
        request, "silence_alert_rule", source="api", target=rule.name, details={"until": until}
    )
    return _out(request, rule)


@router.post("/alerts/preview", response={200: PreviewOut, **ERRORS}, summary="Would it fire?")
def preview(request: HttpRequest, body: RuleIn) -> dict[str, Any]:
    """Measure a rule as given, now, without storing it: would it fire now? Role: viewer."""
    auth.require(request, VIEW)
    rule = AlertRule(**body.model_dump(exclude={"channels"}))
    result = get_alert_services().rules.preview(rule)
    return {
        "breaching": result.measurement.breaching,
        "fires_now": result.fires_now,
        "value": result.measurement.value,
        "summary": result.measurement.summary,
        "held_seconds": result.held_seconds,
    }


@router.get("/alerts/incidents", response={200: list[IncidentOut], **ERRORS}, summary="Incidents")
def incidents(
    request: HttpRequest,
    rule_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    open_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[Incident]:
    """Incidents, newest first; `open_only` for pending and firing ones. Role: viewer."""
    auth.require(request, VIEW)
    return get_alert_services().rules.incidents(rule_id=rule_id, open_only=open_only, limit=limit)


@router.post(
    "/alerts/incidents/{incident_id}/acknowledge",
    response={200: IncidentOut, **ERRORS},
    summary="Acknowledge",
)
def acknowledge(request: HttpRequest, incident_id: Id) -> Incident:
    """Stop an open incident's reminders; it still notifies when it resolves.

    Role: operator (manage_alerts). Audited as acknowledge_incident.
    """
    auth.require(request, MANAGE_ALERTS)
    incident = get_alert_services().rules.acknowledge(
        incident_id, f"api:{request.user.get_username()}"
    )
    audit_request(request, "acknowledge_incident", source="api", target=str(incident.id))
    return incident


def _channel(body: ChannelIn) -> Channel:
    return Channel(type=ChannelType(body.type), url=body.url, secret=body.secret, to=tuple(body.to))


def _where(channel: Channel) -> tuple[str, str, tuple[str, ...]]:
    return (channel.type.value, channel.url, channel.to)


def _out(request: HttpRequest, rule: AlertRule) -> dict[str, Any]:
    """The response body of a rule; secrets only for those who may manage channels."""
    show = request.user.has_perm(MANAGE_ALERT_CHANNELS)
    return {
        **{field: getattr(rule, field) for field in RuleOut.model_fields if field != "channels"},
        "channels": [
            {
                "type": c.type.value,
                "url": c.url,
                "to": list(c.to),
                "secret": c.secret if show else None,
            }
            for c in rule.channels
        ],
    }
