"""Issuing, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from .models import ApiToken

TOKEN_PREFIX = "sch_"
# last_used_at is a hint for operators, so it is written at most once a minute per token
# rather than on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest_of(secret: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the secret is returned here and never again."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[: len(TOKEN_PREFIX) + 4], digest=digest_of(secret)
    )
    return token, secret


def authenticate_token(secret: str) -> ApiToken | None:
    """The live token with this secret, or None; records when it was last used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest_of(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke_token(token_id: int) -> bool:
    """Revoke the token; False if there is no live token with this id."""
    changed = ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return changed == 1


def audit_details(token: ApiToken) -> dict[str, object]:
    """What the audit log keeps of a token: its id, prefix and user, never its secret."""
    return {"token_id": token.pk, "prefix": token.prefix, "user": token.user.get_username()}
