"""The viewer, operator and admin groups, as the data migration 0003_roles makes them."""

from __future__ import annotations

import importlib

from django.contrib.auth.models import Group, Permission

ROLES: dict[str, list[str]] = importlib.import_module("scheduler_core.migrations.0003_roles").ROLES


def role_group(name: str) -> Group:
    """The role's group with its permissions (tests that commit flush the migration's rows)."""
    group, _ = Group.objects.get_or_create(name=name)
    for code in ROLES[name]:
        app_label, codename = code.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group
