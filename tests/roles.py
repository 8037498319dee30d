"""The viewer, operator and admin groups, as the data migration 0003_roles makes them."""

from __future__ import annotations

import importlib

from django.contrib.auth.models import Group, Permission

ROLES: dict[str, list[str]] = importlib.import_module("scheduler_core.migrations.0003_roles").ROLES
# Later migrations grant more to the same groups (0015: the alert permissions).
GRANTS: dict[str, list[str]] = importlib.import_module(
    "scheduler_core.migrations.0015_alerts"
).GRANTS


def role_group(name: str) -> Group:
    """The role's group with its permissions (tests that commit flush the migration's rows)."""
    group, _ = Group.objects.get_or_create(name=name)
    for code in ROLES[name] + [f"scheduler_core.{c}" for c in GRANTS.get(name, [])]:
        app_label, codename = code.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group
