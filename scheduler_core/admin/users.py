"""User and group admin pages that no one below a superuser can use to climb.

The admin role holds auth.change_user, so Django's stock UserAdmin would let it tick
"superuser status" on its own account or reset a superuser's password. Here only a
superuser may grant superuser or staff status, permissions, or membership of the admin
group (or of any group holding a permission the actor lacks), and only a superuser may
change or delete a superuser. Every change is audited (AuditedAdminMixin).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest

from scheduler_core.admin.audit import AuditedAdminMixin

# The role that administers users; membership of it is handed out by superusers only.
ADMIN_GROUP = "admin"
# Fields that grant power; shown read-only to anyone who is not a superuser.
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "user_permissions")


def privileged_groups(actor: User, groups: Any) -> set[str]:
    """The names among `groups` that `actor` may not hand out: admin, or more than it holds."""
    held = actor.get_all_permissions()
    names = set()
    for group in groups:
        codes = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        if group.name == ADMIN_GROUP or not codes <= held:
            names.add(group.name)
    return names


def _is_superuser(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_superuser", False))


class GuardedUserAdmin(AuditedAdminMixin, UserAdmin[User]):
    """Django's UserAdmin, with every way up closed to users who are not superusers."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if _is_superuser(request):
            return fields
        return [*fields, *PRIVILEGE_FIELDS]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Also guards the password form, which asks this before it shows anything.
        if obj is not None and obj.is_superuser and not _is_superuser(request):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # "Delete selected" asks this for each row too (get_deleted_objects).
        if obj is not None and obj.is_superuser and not _is_superuser(request):
            return False
        return super().has_delete_permission(request, obj)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if _is_superuser(request) or "groups" not in form.base_fields:
            return form
        # The admin site lets only logged-in staff this far.
        assert isinstance(request.user, User)
        actor: User = request.user

        class GroupGuardedForm(form):  # type: ignore[misc,valid-type]
            def clean_groups(self) -> Any:
                groups = self.cleaned_data["groups"]
                before = self.instance.groups.all() if self.instance.pk else Group.objects.none()
                moved = privileged_groups(actor, groups) ^ privileged_groups(actor, before)
                if moved:
                    raise forms.ValidationError(
                        "Only a superuser may grant or take away membership of "
                        + ", ".join(sorted(moved))
                        + "."
                    )
                return groups

        return GroupGuardedForm


class AuditedGroupAdmin(AuditedAdminMixin, GroupAdmin):
    """Django's GroupAdmin, audited (only superusers hold the group permissions)."""


admin.site.unregister(User)
admin.site.register(User, GuardedUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, AuditedGroupAdmin)
