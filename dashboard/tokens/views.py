"""The token page: list the user's tokens, create one (secret shown once), revoke one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api.models import ApiToken
from api.tokens import audit_details, issue_token, revoke_token
from scheduler_core.web.operator_audit import audit_request

from .forms import NewTokenForm

TEMPLATE = "dashboard/tokens.html"


def _user(request: HttpRequest) -> User:
    """The logged-in user (login_required has already turned anonymous users away)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _page(request: HttpRequest, form: NewTokenForm, secret: str | None = None) -> HttpResponse:
    """The page: the user's tokens, the creation form and, once, a new token's secret."""
    tokens = ApiToken.objects.filter(user=_user(request)).only(
        "id", "name", "prefix", "created_at", "last_used_at", "revoked_at"
    )
    return render(request, TEMPLATE, {"tokens": tokens, "form": form, "secret": secret})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """GET lists the tokens; POST creates one and shows its secret in this response only."""
    if request.method != "POST":
        return _page(request, NewTokenForm())
    form = NewTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    token, secret = issue_token(_user(request), form.cleaned_data["name"])
    details = audit_details(token)
    audit_request(request, "create_token", source="dashboard", target=token.name, details=details)
    return _page(request, NewTokenForm(), secret)


@login_required
@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's own tokens (anyone else's is a 404), then back to the list."""
    token = get_object_or_404(ApiToken, pk=token_id, user=_user(request))
    if revoke_token(token.pk):
        details = audit_details(token)
        audit_request(
            request, "revoke_token", source="dashboard", target=token.name, details=details
        )
    return HttpResponseRedirect(reverse("tokens"), status=303)
