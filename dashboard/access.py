"""Who may see a dashboard page or take an action on it.

Every page needs a logged-in user (anonymous visitors are sent to the login page) and a
permission; a logged-in user without it gets 403, never a redirect loop to the login page.
Actions are POST only, so a link, a prefetch or a crawler can never change state, and
Django's CSRF middleware refuses a POST without the token.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scheduler_core.web.permissions import VIEW

type View = Callable[..., HttpResponse]


def _require(permission: str, view: View) -> View:
    @wraps(view)
    def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.has_perm(permission):
            raise PermissionDenied(f"your role lacks the permission {permission!r}")
        return view(request, *args, **kwargs)

    return guarded


def page(permission: str = VIEW) -> Callable[[View], View]:
    """A read-only page (GET/HEAD): login, then `permission`; never cached by the browser."""

    def decorate(view: View) -> View:
        return never_cache(login_required(require_GET(_require(permission, view))))

    return decorate


def form_page(permission: str) -> Callable[[View], View]:
    """A page with a form: GET shows it, POST submits it; both need `permission`."""

    def decorate(view: View) -> View:
        guarded = _require(permission, view)
        return never_cache(login_required(require_http_methods(["GET", "POST"])(guarded)))

    return decorate


def action(permission: str) -> Callable[[View], View]:
    """A state-changing action: POST only (with CSRF), login, then `permission`."""

    def decorate(view: View) -> View:
        return never_cache(login_required(require_POST(_require(permission, view))))

    return decorate
