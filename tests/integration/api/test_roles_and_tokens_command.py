"""The roles data migration and `manage.py api_token`."""

from __future__ import annotations

import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db import connection

from api.models import ApiToken
from api.tokens import authenticate_token
from scheduler_core.models import AuditEntry

roles = importlib.import_module("scheduler_core.migrations.0003_roles")


@pytest.mark.django_db
def test_the_migration_builds_three_nested_roles() -> None:
    Group.objects.filter(name__in=roles.ROLES).delete()

    roles.create_roles(apps, SimpleNamespace(connection=connection))

    def permissions(name: str) -> set[str]:
        group = Group.objects.get(name=name)
        return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}

    viewer, operator, admin = permissions("viewer"), permissions("operator"), permissions("admin")
    assert viewer < operator < admin
    assert "scheduler_core.view_taskrecord" in viewer
    assert {"scheduler_core.submit_task", "scheduler_core.cancel_task"} <= operator - viewer
    assert {"scheduler_core.delete_task", "scheduler_core.manage_schedules"} <= admin - operator


@pytest.mark.django_db
def test_api_token_create_list_revoke() -> None:
    User.objects.create_user("ops")
    out, err = StringIO(), StringIO()

    call_command("api_token", "create", "ops", "--name", "ci", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert authenticate_token(secret) == token
    assert secret not in str(ApiToken.objects.values().get())

    listing = StringIO()
    call_command("api_token", "list", stdout=listing)
    assert "ops\tci\tsch_" in listing.getvalue() and "live" in listing.getvalue()

    call_command("api_token", "revoke", str(token.pk), stdout=StringIO())
    assert authenticate_token(secret) is None
    with pytest.raises(CommandError):
        call_command("api_token", "revoke", str(token.pk))
    with pytest.raises(CommandError):
        call_command("api_token", "create", "nobody")
    audited = AuditEntry.objects.order_by("id").values_list("action", "source", "target")
    assert list(audited) == [("create_token", "command", "ci"), ("revoke_token", "command", "ci")]
    assert AuditEntry.objects.first().actor.startswith("manage.py (")  # type: ignore[union-attr]
