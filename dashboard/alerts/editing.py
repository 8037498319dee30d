"""Creating, changing and deleting alert rules (manage_alerts; channels need the admin role)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from dashboard.access import form_page
from scheduler_core.domain.alerts import AlertRule, AlertRuleInvalid
from scheduler_core.domain.ports.alerts import AlertRuleNotFound
from scheduler_core.web.operator_audit import audit_request
from scheduler_core.web.permissions import MANAGE_ALERT_CHANNELS, MANAGE_ALERTS

from .forms import RuleForm, initial_for
from .lookup import rule_or_404, rule_service

FORM_TEMPLATE = "dashboard/alerts/form.html"
DELETE_TEMPLATE = "dashboard/alerts/delete.html"


def _form(request: HttpRequest, stored: AlertRule | None = None) -> RuleForm:
    return RuleForm(
        request.POST if request.method == "POST" else None,
        initial=initial_for(stored) if stored is not None else None,
        service=rule_service(),
        preview_url=reverse("dashboard:alerts:preview"),
        may_set_channels=request.user.has_perm(MANAGE_ALERT_CHANNELS),
        stored=stored,
    )


def _show(
    request: HttpRequest, form: RuleForm, stored: AlertRule | None, status: int = 200
) -> HttpResponse:
    return render(request, FORM_TEMPLATE, {"form": form, "stored": stored}, status=status)


def _detail(rule_id: int | None) -> HttpResponse:
    return HttpResponseRedirect(reverse("dashboard:alerts:detail", args=[rule_id]), status=303)


@form_page(MANAGE_ALERTS)
def new(request: HttpRequest) -> HttpResponse:
    """GET: an empty rule form; POST: create the rule, or show what is wrong."""
    form = _form(request)
    if request.method != "POST":
        return _show(request, form, None)
    if not form.is_valid():
        return _show(request, form, None, status=422)
    try:
        created = rule_service().create(form.rule())
    except AlertRuleInvalid as error:
        form.add_rule_error(error)  # the name was taken since the form was checked
        return _show(request, form, None, status=422)
    details = created.audit_details()
    audit_request(
        request, "create_alert_rule", source="dashboard", target=created.name, details=details
    )
    messages.success(request, f"Alert rule {created.name} created.")
    return _detail(created.id)


@form_page(MANAGE_ALERTS)
def edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    """GET: the rule's form; POST: store the changes, or show what is wrong."""
    stored = rule_or_404(rule_id)
    form = _form(request, stored)
    if request.method != "POST":
        return _show(request, form, stored)
    if not form.is_valid():
        return _show(request, form, stored, status=422)
    try:
        changed = rule_service().change(form.rule())
    except AlertRuleNotFound as error:
        raise Http404(str(error)) from error
    except AlertRuleInvalid as error:
        form.add_rule_error(error)
        return _show(request, form, stored, status=422)
    details = changed.audit_details()
    audit_request(
        request, "change_alert_rule", source="dashboard", target=changed.name, details=details
    )
    messages.success(request, f"Alert rule {changed.name} saved.")
    return _detail(rule_id)


@form_page(MANAGE_ALERTS)
def delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the rule with its incidents."""
    rule = rule_or_404(rule_id)
    if request.method != "POST":
        return render(request, DELETE_TEMPLATE, {"rule": rule})
    try:
        rule_service().delete(rule_id)
    except AlertRuleNotFound as error:
        raise Http404(str(error)) from error
    audit_request(request, "delete_alert_rule", source="dashboard", target=rule.name)
    messages.success(request, f"Alert rule {rule.name} deleted.")
    return HttpResponseRedirect(reverse("dashboard:alerts:list"), status=303)
