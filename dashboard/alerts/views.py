"""The alerts pages: rules with their open incidents, one rule, every incident, the preview."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dashboard.access import page
from scheduler_core.domain.alerts import AlertRuleInvalid, IncidentState
from scheduler_core.web.permissions import MANAGE_ALERT_CHANNELS, VIEW

from .forms import PREVIEW_FIELDS, RuleForm
from .lookup import rule_or_404, rule_service

LIST_TEMPLATE = "dashboard/alerts/list.html"
DETAIL_TEMPLATE = "dashboard/alerts/detail.html"
INCIDENTS_TEMPLATE = "dashboard/alerts/incidents.html"
PREVIEW_TEMPLATE = "dashboard/alerts/form.html#preview"


@page(VIEW)
def index(request: HttpRequest) -> HttpResponse:
    """Every rule with the state of its open incident, and the open incidents."""
    service = rule_service()
    open_incidents = service.incidents(open_only=True)
    by_rule = {incident.rule_id: incident for incident in open_incidents}
    rules = service.all()
    names = {rule.id: rule.name for rule in rules}
    context = {
        "rows": [(rule, by_rule.get(rule.id or 0)) for rule in rules],
        "open_incidents": [(i, names.get(i.rule_id, "?")) for i in open_incidents],
        "now": service.now(),
    }
    return render(request, LIST_TEMPLATE, context)


@page(VIEW)
def detail(request: HttpRequest, rule_id: int) -> HttpResponse:
    """One rule: definition, channels, incidents, and every notification with its errors."""
    rule = rule_or_404(rule_id)
    service = rule_service()
    incidents = service.incidents(rule_id=rule_id, limit=50)
    context = {
        "rule": rule,
        "incidents": incidents,
        "open": next(
            (i for i in incidents if i.state in (IncidentState.PENDING, IncidentState.FIRING)), None
        ),
        "deliveries": service.deliveries(rule_id=rule_id, limit=50),
        "show_secrets": request.user.has_perm(MANAGE_ALERT_CHANNELS),
        "now": service.now(),
    }
    return render(request, DETAIL_TEMPLATE, context)


@page(VIEW)
def incidents(request: HttpRequest) -> HttpResponse:
    """Every incident, newest first."""
    service = rule_service()
    names = {rule.id: rule.name for rule in service.all()}
    rows = [
        (incident, names.get(incident.rule_id, "?")) for incident in service.incidents(limit=200)
    ]
    return render(request, INCIDENTS_TEMPLATE, {"rows": rows})


@page(VIEW)
def banner(request: HttpRequest) -> HttpResponse:
    """The firing-alerts banner alone, for pages that stay open (an htmx fragment)."""
    return render(request, "base.html#banner")


@page(VIEW)
def preview(request: HttpRequest) -> HttpResponse:
    """Would the rule as typed fire now? (an htmx fragment; nothing is stored)."""
    return render(request, PREVIEW_TEMPLATE, preview_context(request))


def preview_context(request: HttpRequest) -> dict[str, object]:
    """The preview of the rule in the query string, or the first thing wrong with it."""
    query = {name: request.GET.get(name, "") for name in PREVIEW_FIELDS}
    query |= {"renotify_seconds": "0", "name": query["name"] or "preview"}
    form = RuleForm(query, service=rule_service(), preview_url="", may_set_channels=False)
    form.fields["renotify_seconds"].required = False
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else "Rule"
        return {"preview_error": f"{label}: {errors[0]}"}
    try:
        result = rule_service().preview(form.rule())
    except AlertRuleInvalid as error:
        return {"preview_error": f"{error.field}: {error.message}"}
    return {"preview": result}
