"""Management command that creates the first superuser with a random password."""

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from scheduler_core.web.operator_audit import audit_command


class Command(BaseCommand):
    help = (
        "Create the first superuser if none exists yet, with a random password printed "
        "once. Does nothing when a superuser already exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--username",
            default="admin",
            help="Username of the superuser to create (default: %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model()._default_manager
        with transaction.atomic():
            existing = users.filter(is_superuser=True).order_by("pk").first()
            if existing is not None:
                name = existing.get_username()
                self.stdout.write(
                    f"A superuser already exists: {name}. "
                    f"Reset its password with: manage.py changepassword {name}"
                )
                return
            username: str = options["username"]
            password = secrets.token_urlsafe(12)
            users.create_superuser(username=username, email="", password=password)
        audit_command("create_superuser", target=username)
        # The only place the password ever appears; only its hash is stored.
        self.stdout.write(self.style.SUCCESS(f"Created superuser {username!r}."))
        self.stdout.write(f"Password (shown only this once): {password}")
