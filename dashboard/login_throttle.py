"""Login throttling (django-axes): what a locked-out client sees, and the lockout's audit.

Axes counts failed logins per username and address in the database, so every web process
and every login door (the dashboard's /accounts/login/ and the admin's /admin/login/, both
going through django.contrib.auth.authenticate) share one count.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scheduler_core.web.operator_audit import record_action

TEMPLATE = "registration/locked_out.html"
STATUS = 429


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """429 with how long the lock lasts, in words and in Retry-After."""
    cool_off = get_cool_off(request) or timedelta(0)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60))
    context = {"minutes": minutes, "admin": request.path.startswith("/admin/")}
    response = render(request, TEMPLATE, context, status=STATUS)
    response["Retry-After"] = str(int(cool_off.total_seconds()) or 60)
    return response


def audit_lockout(
    sender: Any, request: HttpRequest, username: str, ip_address: str, **_: Any
) -> None:
    """Audit the attempt that locked a login; not the attempts refused while it lasts.

    axes sends user_locked_out for both. Only the locking attempt was counted, which leaves
    the count on the request (axes 8: axes_failures_since_start; None when refused unseen).
    """
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    cool_off = get_cool_off(request) or timedelta(0)
    # No logged-in user: the actor is the username tried, the address the one axes counted.
    record_action(
        "login_locked_out",
        source="admin" if request.path.startswith("/admin/") else "dashboard",
        actor=(username or "")[:150],
        target=(username or "")[:200],
        details={"path": request.path[:200], "minutes": cool_off.total_seconds() / 60},
        remote_addr=ip_address or None,
    )
