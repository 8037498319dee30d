"""manage.py api_token create|list|revoke: per-user bearer tokens of the JSON API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.models import ApiToken
from api.tokens import audit_details, issue_token, revoke_token
from scheduler_core.web.operator_audit import audit_command


class Command(BaseCommand):
    help = "Create, list or revoke API tokens. A new token's secret is printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token for a user")
        create.add_argument("username")
        create.add_argument("--name", default="api", help="what the token is for")
        listing = actions.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("--user", help="only this user's tokens")
        revoke = actions.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options["username"], options["name"])
        elif action == "list":
            self._list(options["user"])
        else:
            self._revoke(options["token_id"])

    def _create(self, username: str, name: str) -> None:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist as error:
            raise CommandError(f"no user is called {username!r}") from error
        token, secret = issue_token(user, name[:100])
        audit_command("create_token", target=token.name, details=audit_details(token))
        self.stderr.write(f"token {token.pk} for {username}; it is shown only now:")
        self.stdout.write(secret)

    def _revoke(self, token_id: int) -> None:
        if not revoke_token(token_id):
            raise CommandError(f"no live token has the id {token_id}")
        token = ApiToken.objects.select_related("user").get(pk=token_id)
        audit_command("revoke_token", target=token.name, details=audit_details(token))
        self.stdout.write(f"revoked token {token_id}")

    def _list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user")
        if username:
            tokens = tokens.filter(user__username=username)
        for token in tokens:
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "live"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.pk}\t{token.user.get_username()}\t{token.name}\t{token.prefix}...\t"
                f"created {token.created_at:%Y-%m-%d %H:%M}\tlast used {used}\t{state}"
            )
