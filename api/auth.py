"""Who is calling: a bearer API token, or a logged-in browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer, SessionAuth

from scheduler_core.web.permissions import (
    CANCEL,
    DELETE,
    MANAGE_SCHEDULES,
    PAUSE_QUEUE,
    RETRY,
    RUN_NOW,
    SUBMIT,
    VIEW,
    VIEW_WORKERS,
)

from .tokens import authenticate_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the token's user, unless the token is revoked."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        """The user of a live token, else None (401)."""
        api_token = authenticate_token(token)
        if api_token is None:
            return None
        request.user = api_token.user
        return api_token.user


class CsrfSessionAuth(SessionAuth):
    """A logged-in browser session; a request that changes state must carry the CSRF token."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Anonymous callers get a 401 (not a CSRF 403) saying how to authenticate.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


# Bearer first, so a script never needs a CSRF token; a browser session needs one to write.
API_AUTH = [TokenAuth(), CsrfSessionAuth(csrf=True)]


__all__ = [
    "API_AUTH",
    "CANCEL",
    "DELETE",
    "MANAGE_SCHEDULES",
    "PAUSE_QUEUE",
    "RETRY",
    "RUN_NOW",
    "SUBMIT",
    "VIEW",
    "VIEW_WORKERS",
    "CsrfSessionAuth",
    "TokenAuth",
    "require",
]


def require(request: HttpRequest, permission: str) -> None:
    """Raise 403 unless the authenticated user holds `permission`."""
    if not request.user.has_perm(permission):
        raise AuthorizationError(message=f"your role lacks the permission {permission!r}")
